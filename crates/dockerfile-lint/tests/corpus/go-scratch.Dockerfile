FROM golang:1.22-alpine as builder
RUN apk add --no-cache git ca-certificates
WORKDIR /go/src/app
COPY . .
RUN go get -d -v ./...
RUN go install github.com/swaggo/swag/cmd/swag@latest
RUN CGO_ENABLED=0 go build -o /app .

FROM scratch
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=builder /app /app
USER 65534
ENTRYPOINT ["/app"]
