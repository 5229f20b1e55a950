FROM node:20.18.1-bookworm-slim
ENV NODE_ENV=production
RUN apt-get update \
 && apt-get -y install --no-install-recommends curl=7.88.1-10+deb12u8 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --chown=node:node . .
RUN npm ci --omit=dev && npm cache clean --force
RUN wget -q -O /usr/local/bin/dumb-init https://github.com/Yelp/dumb-init/releases/download/v1.2.5/dumb-init_1.2.5_x86_64
USER node
HEALTHCHECK --interval=30s --timeout=10s CMD curl -fsS http://127.0.0.1:3001/health
ENTRYPOINT ["/usr/local/bin/dumb-init", "--"]
CMD ["node", "dist/worker.js"]
