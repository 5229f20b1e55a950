FROM golang:1.23.4-alpine3.20 AS build
RUN apk add --no-cache git=2.45.2-r0
WORKDIR /src
COPY go.* ./
RUN go mod download
COPY . .
RUN go build -o /bin/server ./cmd/server && \
    go install github.com/grpc-ecosystem/grpc-health-probe@v0.4.35

FROM alpine:3.20.3
COPY --from=build /bin/server /bin/server
COPY --from=build /go/bin/grpc-health-probe /bin/grpc_health_probe
USER 10001:10001
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["/bin/grpc_health_probe", "-addr=:50051"]
ENTRYPOINT ["/bin/server"]
