# The API and the projector share this image; docker-compose.yml runs them as separate services.
# Node.js 22 LTS: Node 20 gets no security fixes after April 2026 (see docs/DEPENDENCIES.md).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY domain ./domain
COPY commands ./commands
COPY queries ./queries
COPY projections ./projections
COPY web ./web
RUN npm run build && npm run build:web && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The code stays root's and read-only to the service; only the data folder (the signing key when
# JWT_PRIVATE_KEY is not set) belongs to `node`. A named volume mounted here starts with this owner.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
CMD ["node", "dist/src/root/main.js"]
