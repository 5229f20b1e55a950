FROM node:18.20.4-bullseye
WORKDIR /app
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile
COPY . .
RUN yarn build
ENV NODE_ENV production
USER node
CMD ["yarn", "start"]
