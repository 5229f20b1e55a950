# syntax=docker/dockerfile:1.7
FROM alpine:3.20.3
COPY <<CONF1 <<CONF2 /etc/app/
a=1
CONF1
b=2
CONF2
RUN <<EOF
set -e
apk add --no-cache curl=8.11.0-r2
EOF
EXPOSE ${PORT}
USER 1000
CMD ["/bin/sh"]
