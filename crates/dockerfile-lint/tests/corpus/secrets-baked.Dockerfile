FROM node:22.11.0-slim
ARG NPM_TOKEN
ENV DATABASE_URL=postgres://app:Zq8vW2xPm4kL9rTb@db.internal:5432/app
WORKDIR /app
COPY .npmrc package.json package-lock.json ./
RUN npm ci --omit=dev
COPY .env.production .env
COPY . .
ENV NODE_ENV=production
USER node
HEALTHCHECK CMD ["node", "healthcheck.js"]
CMD ["node", "server.js"]
