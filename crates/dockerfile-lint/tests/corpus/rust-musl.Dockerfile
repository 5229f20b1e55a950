FROM rust:1.83-alpine3.20 AS builder
RUN apk add --no-cache musl-dev=1.2.5-r0
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release --locked

FROM alpine:3.20.3
RUN apk --no-cache add ca-certificates=20241010-r0
COPY --from=builder /usr/src/app/target/release/app /usr/local/bin/app
RUN addgroup -S app && adduser -S app -G app
USER app
HEALTHCHECK --interval=500ms --timeout=2s CMD ["/usr/local/bin/app", "--health"]
CMD ["app"]
