FROM node:22.11.0-alpine3.20 AS base
COPY package.json ./
WORKDIR /app

FROM base AS app
COPY src ./src
COPY ["tsconfig.json", "./"]
USER node
CMD ["node", "src/index.js"]
