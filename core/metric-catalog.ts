// Every metric cdclake exports, in one place: its name, kind and help text. A part asks for its metrics by
// name (`metrics.counter('cdclake_consumer_events_in_total')`), so a name is written once here and a kind or
// help text cannot differ between two places; dashboards, alert rules and the README check against this list.

const counter = (help: string) => ({ kind: 'counter' as const, help });
const gauge = (help: string) => ({ kind: 'gauge' as const, help });

export const METRICS = {
  cdclake_generator_events_total: counter('change events the generator wrote to its target'),
  cdclake_producer_events_total: counter(
    'change events handed to Kafka: snapshot rows and streamed changes (tombstones not counted)',
  ),
  cdclake_producer_reconnects_total: counter(
    'attempts to connect to PostgreSQL again after the connection went away (PRODUCER_RECONNECT_MS)',
  ),
  cdclake_producer_slot_lag_bytes: gauge(
    "WAL the replication slot holds back: the server's WAL position less the slot's confirmed one, every PRODUCER_TABLE_REFRESH_MS",
  ),
  cdclake_producer_tables_refused: gauge(
    'tables of the PG_SCHEMA schemas that cannot be captured (no primary key, a name or type cdclake cannot carry): named in the log',
  ),
  cdclake_snapshot_chunks_total: counter('incremental snapshot chunks sent'),
  cdclake_snapshot_rows_total: counter(
    'rows read by incremental snapshot chunks (those left out included: cdclake_snapshot_evicted_total)',
  ),
  cdclake_snapshot_evicted_total: counter(
    'chunk rows left out because the stream changed their key between the watermarks',
  ),
  cdclake_snapshot_tables_pending: gauge('tables whose incremental snapshot is not done'),
  cdclake_consumer_events_in_total: counter('change events read from Kafka'),
  cdclake_consumer_batch_age_seconds: gauge('age of the oldest open batch'),
  cdclake_consumer_memory_flushes_total: counter(
    'batches written early because the open batches together passed CONSUMER_MEMORY_BYTES',
  ),
  cdclake_consumer_skipped_offsets_total: counter(
    "offsets Kafka's retention deleted before they reached raw, skipped with CONSUMER_ACCEPT_GAP=true",
  ),
  cdclake_consumer_lag: gauge('records behind the high watermark, per partition'),
  cdclake_consumer_files_written_total: counter('raw Parquet objects written'),
  cdclake_consumer_bytes_written_total: counter('bytes of raw Parquet written'),
  cdclake_consumer_dead_letters_total: counter('records sent to dead letters'),
  cdclake_consumer_upload_retries_total: counter(
    'raw object uploads that failed and were sent again (CONSUMER_UPLOAD_RETRY_MS)',
  ),
  cdclake_consumer_late_objects_removed_total: counter(
    "second copies removed: objects an earlier owner's abandoned uploads wrote after the partition was resumed",
  ),
  cdclake_merge_raw_rows_total: counter('raw rows read by merges'),
  cdclake_merge_bronze_rows_total: counter('bronze rows inserted or updated'),
  cdclake_merge_failures_total: counter('table merges that failed'),
  cdclake_merge_model_failures_total: counter('model builds that failed'),
  cdclake_merge_pass_failures_total: counter(
    'merge passes that failed as a whole (S3, the catalog or the leases unreachable) and were tried again',
  ),
  cdclake_merge_duration_seconds: gauge('duration of the last merge pass'),
  cdclake_merge_last_pass_timestamp_seconds: gauge(
    'when the last merge pass ended (before the first, when the merge started), seconds since the epoch',
  ),
  cdclake_lake_rows: gauge(
    'rows of each lake table ({layer, table}): live rows in bronze (delete markers left out), every row of a silver or gold model; counted after a pass changes the table, at most every 15 s',
  ),
  cdclake_merge_newest_change_timestamp_seconds: gauge(
    "per table, the time of the newest change visible in bronze (its event's ts_ms), seconds since the epoch: time() minus it is the table's freshness while changes flow",
  ),
};

type Catalog = typeof METRICS;
export type MetricName = keyof Catalog;
export type CounterName = { [K in MetricName]: Catalog[K]['kind'] extends 'counter' ? K : never }[MetricName];
export type GaugeName = { [K in MetricName]: Catalog[K]['kind'] extends 'gauge' ? K : never }[MetricName];
