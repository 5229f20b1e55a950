FROM alpine:3.19.4
RUN apk update && apk add curl bash
RUN apk add --no-cache jq=1.7.1-r0
RUN apk add --virtual .build-deps gcc musl-dev && apk del .build-deps
ENTRYPOINT ["/bin/sh"]
