FROM node:20 AS deps
RUN yarn install --frozen-lockfile
FROM node:20 AS build
RUN yarn install && yarn build
FROM deps
RUN yarn install && yarn cache clean
