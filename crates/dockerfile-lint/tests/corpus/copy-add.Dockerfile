FROM busybox:1.36.1
ADD rootfs.tar.xz /
ADD https://example.com/file.txt /tmp/file.txt
ADD config/ /etc/config/
COPY a.txt b.txt /dest
COPY a.txt b.txt /dest/
COPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/nginx.conf
COPY --from=missing /x /y
EXPOSE 8080/tcp 9000-9002 ${EXTRA_PORT}
CMD ["sh"]
