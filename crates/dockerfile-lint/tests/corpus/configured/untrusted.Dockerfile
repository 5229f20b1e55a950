FROM quay.io/example/builder:1.0.3 AS build
WORKDIR /src
RUN make

FROM registry.example.com/runtime/base:3.2
COPY --from=build /src/out /app
USER 1000
CMD ["/app/run"]
