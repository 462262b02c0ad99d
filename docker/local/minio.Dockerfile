# MinIO and its client mc, built with `go install` at the commits the native launcher pins, for sites
# with package mirrors but no image registry. One image serves both compose services that use them
# (`minio`, whose entrypoint is minio as in minio/minio, and `minio-init`, which runs mc from a shell).
FROM debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY minio mc /usr/bin/
EXPOSE 9000 9001
ENTRYPOINT ["minio"]
