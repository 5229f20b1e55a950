FROM node
MAINTAINER Platform Team <platform@example.com>
RUN mkdir -p /usr/src/app
WORKDIR /usr/src/app
COPY package.json /usr/src/app/
RUN npm install
RUN npm install -g pm2 typescript
COPY . /usr/src/app
EXPOSE 8080
CMD [ "pm2-runtime", "start", "ecosystem.config.js" ]
