ARG BASE_IMAGE=node:22.11.0-alpine3.20
ARG BUILD_DATE
FROM ${BASE_IMAGE} AS app
ARG BUILD_DATE
LABEL org.opencontainers.image.created=$BUILD_DATE
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
USER node
CMD ["node", "server.js"]
