-- A table of the source's expected final state, filled by the appender, then written as Parquet.
CREATE TABLE {{table}} ({{columns}});
