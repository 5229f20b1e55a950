# A worker image written in a hurry: each RUN has a shell mistake ShellCheck knows.
FROM node:22.11.0-bookworm-slim AS build
ARG APP_VERSION
ENV APP_HOME=/srv/app
WORKDIR /srv/app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && echo "built $APP_VERSION in $APP_HOME"
RUN for f in $(ls /srv/app/*.json); do echo "$f"; done
RUN echo `date -u` > /srv/app/BUILD_TIME
RUN cp -r /srv/app/config/* /srv/app/dist/ ; [ -f /srv/app/dist/app.json ] && echo ok
RUN if [ $APP_VERSION == "dev" ]; then echo development; fi
RUN cd /srv/app/dist && tar czf /tmp/dist.tgz .
RUN find /srv/app -name *.map -delete
RUN read -r line < /srv/app/BUILD_TIME && echo "$line"
RUN echo "$((1 + $UNDECLARED_COUNT))"

FROM node:22.11.0-bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /srv/app
COPY --from=build /srv/app /srv/app
RUN [[ -d /srv/app ]] && echo "$(cat /srv/app/BUILD_TIME)" | tee /tmp/t
RUN source /srv/app/.env && echo "$NODE_ENV"
RUN useradd -r -u 10001 worker && chown -R worker /srv/app
USER worker
HEALTHCHECK CMD ["node", "-e", "process.exit(0)"]
CMD ["node", "dist/worker.js"]
