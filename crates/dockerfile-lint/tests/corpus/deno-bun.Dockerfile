FROM oven/bun:1.1.38-alpine AS install
WORKDIR /temp
COPY package.json bun.lockb ./
RUN bun install --frozen-lockfile --production

FROM oven/bun:1.1.38-alpine
WORKDIR /usr/src/app
COPY --from=install /temp/node_modules node_modules
COPY . .
USER bun
EXPOSE 3000/tcp
ENTRYPOINT [ "bun", "run", "index.ts" ]
