FROM ghcr.io/example/base:2.1.0
LABEL org.opencontainers.image.source="github.com/example/api" \
      org.opencontainers.image.revision="main" \
      org.opencontainers.image.version="1.4" \
      org.opencontainers.image.created="27/11/2026" \
      org.opencontainers.image.authors="platform at example" \
      org.opencontainers.image.title=""
LABEL team=platform
WORKDIR /app
USER 1000
CMD ["./run"]
