FROM node:22.11.0-bookworm-slim
LABEL org.opencontainers.image.source="https://github.com/example/app" \
      org.opencontainers.image.revision="0123456789abcdef0123456789abcdef01234567" \
      maintainer="ops@example.com"
LABEL "com.example.team"="platform" version=1.4.2
ENV APP_HOME=/app APP_LOGS=$APP_HOME/logs
ENV NODE_ENV=production
WORKDIR $APP_HOME
COPY --chown=node:node . .
USER node
CMD ["node", "index.js"]
