FROM amazonlinux:2023.6.20241212.0
RUN yum install shadow-utils-4.9-12.amzn2023.0.4 && yum clean all
RUN zypper dup
COPY entrypoint.sh /entrypoint.sh
ENTRYPOINT ["/entrypoint.sh"]
