FROM node:20-bookworm-slim AS build
WORKDIR /srv
COPY package*.json ./
RUN npm install
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /srv
COPY --from=build /srv/node_modules ./node_modules
COPY --from=build /srv/dist ./dist
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s CMD curl -fsS http://localhost:9464/health || exit 1
CMD node dist/worker.js
