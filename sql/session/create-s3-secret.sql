-- The S3 credentials DuckDB uses for s3:// paths (httpfs). Filled with quoted literals by core/duckdb.ts.
CREATE OR REPLACE SECRET cdclake_s3 (
    TYPE s3,
    KEY_ID {{key_id}},
    SECRET {{secret}},
    REGION {{region}},
    ENDPOINT {{endpoint}},
    URL_STYLE {{url_style}},
    USE_SSL {{use_ssl}}
);
