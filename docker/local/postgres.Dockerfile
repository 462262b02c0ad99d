# PostgreSQL from Debian, for sites that have package mirrors but no image registry. It takes the official
# postgres image's environment (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB), runs
# /docker-entrypoint-initdb.d/*.sql once on an empty volume, and passes its command's `-c` settings on, so
# docker-compose.yml describes both. Built on the base image `npm run services -- docker up` imports.
FROM debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh && mkdir -p /docker-entrypoint-initdb.d "$PGDATA"
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
