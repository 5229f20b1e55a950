FROM node:22.11.0-alpine3.20
LABEL org.opencontainers.image.source="https://github.com/example/api" \
      org.opencontainers.image.revision="9f8e7d6c5b4a39281706f5e4d3c2b1a098765432" \
      org.opencontainers.image.version="1.4.2" \
      org.opencontainers.image.created="2026-11-27T06:00:00Z" \
      org.opencontainers.image.authors="platform@example.com" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.title="api"
WORKDIR /app
COPY . .
USER 1000
CMD ["node", "index.js"]
