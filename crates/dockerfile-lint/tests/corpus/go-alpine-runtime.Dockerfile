FROM golang:1.21.13 AS build
WORKDIR /app
COPY . .
RUN go build -o server ./cmd/server

FROM alpine:3.20
RUN apk add --no-cache ca-certificates tzdata
RUN adduser -D -u 10001 app
COPY --from=build /app/server /usr/local/bin/server
USER app
HEALTHCHECK --interval=10s --timeout=2s CMD curl -f http://localhost:8080/health || exit 1
ENTRYPOINT ["server"]
