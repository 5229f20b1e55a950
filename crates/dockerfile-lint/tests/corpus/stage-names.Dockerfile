FROM node:22.11-alpine AS base
WORKDIR /app

FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci

FROM base AS deps
COPY --from=deps /app/node_modules ./node_modules

FROM base AS release
COPY --from=release /app /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
CMD ["node", "."]
