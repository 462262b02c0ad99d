-- The S3 credentials DuckDB uses for s3:// paths (httpfs). Filled with quoted literals by core/duckdb-s3-secret.ts;
-- SESSION_TOKEN is '' for long-lived keys, and the secret is created again before temporary ones expire.
CREATE OR REPLACE SECRET cdclake_s3 (
    TYPE s3,
    KEY_ID {{key_id}},
    SECRET {{secret}},
    SESSION_TOKEN {{session_token}},
    REGION {{region}},
    ENDPOINT {{endpoint}},
    URL_STYLE {{url_style}},
    USE_SSL {{use_ssl}}
);
