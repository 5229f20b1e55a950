FROM --platform=linux/amd64 node:22.11.0-bookworm AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM --platform=$TARGETPLATFORM node:22.11.0-bookworm-slim AS context
WORKDIR /app
COPY --from=build /app/dist ./dist

FROM gcr.io/distroless/nodejs22-debian12:nonroot
COPY --from=context / /
CMD ["dist/main.js"]
