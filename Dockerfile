# syntax=docker/dockerfile:1
# The opskit image: the multicall binary (every tool, as `opskit TOOL` or by the tool's name) on
# Alpine, with the PostgreSQL 17 client for db-backup (pg_dump and pg_restore read servers up to
# 17: Supabase's 15 and 17 included). Runs as an unprivileged user. TLS needs no system
# certificates: the tools carry Mozilla's roots (webpki-roots).
#
#   docker build -t opskit .
#   docker run --rm -e REDIS_URL ghcr.io/opskit/opskit queue-depth --queue emails
#   docker run --rm -v "$PWD:/work" ghcr.io/opskit/opskit predeploy --only secrets,dockerfile

FROM rust:1.95-alpine3.22 AS build
RUN apk add --no-cache musl-dev=~1.2
WORKDIR /src
COPY . .
# A static musl binary, with the release profile of Cargo.toml (LTO, one codegen unit, stripped).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p opskit-cli \
    && cp target/release/opskit /opskit

FROM alpine:3.22
RUN apk add --no-cache postgresql17-client=~17 \
    && addgroup -S -g 10001 opskit \
    && adduser -S -D -H -u 10001 -G opskit opskit
COPY --from=build /opskit /usr/local/bin/opskit
# A link per tool, so `queue-depth ...` works as the command of a container or CronJob.
RUN for tool in $(opskit --list); do ln -s opskit "/usr/local/bin/$tool"; done
USER 10001:10001
WORKDIR /work
# The image is a toolbox run as a job: healthy while the binary starts and answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["opskit", "--version"]
ENTRYPOINT ["opskit"]
CMD ["--help"]
