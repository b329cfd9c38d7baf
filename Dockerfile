# syntax=docker/dockerfile:1
# claimscreen: `docker build -t claimscreen .`
#   embedded database:  docker run -p 8080:8080 -v claimscreen-data:/data claimscreen
#   PostgreSQL:         docker run -p 8080:8080 -e DATABASE_URL=postgres://… -e PERSON_ID_SECRET=… claimscreen
#   API keys:           docker run --rm -v claimscreen-data:/data claimscreen node dist/scripts/keys.js create --name … --role … --by …
#                       (with the embedded database, only while the service is stopped: PGlite is single-process)
#
# Dependency install scripts are not run (--ignore-scripts): none is needed (esbuild's postinstall
# only re-checks its binary, which comes as an optional dependency), whatever the npm version of the
# base image; package.json "allowScripts" records the same choice for npm 11.

# ---- build: all dependencies, TypeScript compiled to dist/ -------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY rules ./rules
COPY models ./models
COPY sim ./sim
COPY scripts ./scripts
RUN npm run build

# ---- runtime: production dependencies and compiled JavaScript only; no tsx, no TypeScript -------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
# The report's PDF form prints with the system's Chromium; without it (the default, a smaller
# image) `format=pdf` answers 503 pdf_unavailable and every other form works. --build-arg WITH_CHROMIUM=true adds it.
ARG WITH_CHROMIUM=false
RUN if [ "$WITH_CHROMIUM" = "true" ]; then apt-get update && apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei && rm -rf /var/lib/apt/lists/*; fi
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The code stays owned by root (read-only to the service); migrations/ is found beside package.json.
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The embedded database (DATA_DIR/pglite) and its person-id secret live on the volume.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (graceful shutdown, then exit 0).
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
