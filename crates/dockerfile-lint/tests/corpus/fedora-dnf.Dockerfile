FROM fedora:40
RUN dnf install -y python3-3.12.7 nginx-1.26.2 && dnf clean all
RUN dnf -y install git
RUN microdnf install jq
WORKDIR /srv
CMD ["nginx", "-g", "daemon off;"]
