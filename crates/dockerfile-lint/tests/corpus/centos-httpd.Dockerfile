FROM centos:7
RUN yum install -y httpd mod_ssl && yum clean all
RUN yum -y install php
COPY site/ /var/www/html/
EXPOSE 80 443
CMD ["/usr/sbin/httpd", "-D", "FOREGROUND"]
