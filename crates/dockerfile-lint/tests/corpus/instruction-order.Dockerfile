LABEL stage=broken
FROM alpine:3.20.3
RUN echo hi
