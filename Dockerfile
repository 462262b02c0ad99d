# syntax=docker/dockerfile:1
# The cdclake image. Its command is `cdclake up`: producer, consumer and merge in one process; any other
# command runs instead when given (`produce`, `consume`, `merge --every 5s`, `status`, `query ...`).
#   docker build -t cdclake .
#   docker run --rm cdclake status
FROM node:22-bookworm-slim

# CDCLAKE_HOME holds the process's local state; the DuckDB extensions live inside it so that
# the runtime finds them without reaching an extension server.
ENV NODE_ENV=production \
    CDCLAKE_HOME=/app/.cdclake \
    DUCKDB_EXTENSION_DIR=/app/.cdclake/duckdb/extensions \
    METRICS_PORT=9464 \
    METRICS_HOST=0.0.0.0

WORKDIR /app

# Dependencies first, so that a change of the source does not reinstall them.
# esbuild and tsx are runtime dependencies: bin/cdclake.js bundles the TypeScript sources (or runs them
# through tsx where it cannot), so there is no separate build step.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force

# The non-root user owns only what it writes: /app itself (DuckDB's spill files go to the
# working directory) and CDCLAKE_HOME. The code and node_modules stay root-owned, read-only to it.
RUN mkdir -p "$DUCKDB_EXTENSION_DIR" \
    && chown node:node /app \
    && chown -R node:node /app/.cdclake
USER node

# Install the extensions at build time, for the DuckDB version that @duckdb/node-api embeds
# (v1.5.5); LOAD checks each file's signature now rather than at the first start.
RUN node --input-type=module -e " \
      import { DuckDBInstance } from '@duckdb/node-api'; \
      const db = await DuckDBInstance.create(':memory:', { extension_directory: process.env.DUCKDB_EXTENSION_DIR }); \
      const connection = await db.connect(); \
      for (const name of ['httpfs', 'ducklake', 'postgres']) { \
        await connection.run('INSTALL ' + name); \
        await connection.run('LOAD ' + name); \
      } \
      connection.closeSync(); \
      db.closeSync(); \
    "

COPY . .
# The bundle bin/cdclake.js runs (dist/<hash of the sources>/), built now rather than at the first start.
RUN node bin/cdclake.js help > /dev/null

# /metrics (Prometheus), /health (liveness) and /ready (readiness).
EXPOSE 9464

# One node process (bin/cdclake.js imports the bundle, no child), so SIGTERM reaches the code's stop().
ENTRYPOINT ["node", "bin/cdclake.js"]
CMD ["up"]
