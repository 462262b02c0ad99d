// `cdclake smoke`: one pass through every real part (Kafka, S3, DuckDB httpfs, DuckLake) with a small
// batch, printing what each step did. It proves the stack works before the pipeline runs on it.

import { redact } from '../../core/redact.ts';
import type { Config } from '../../core/config.ts';
import { attachLake, openDuckDB } from '../../core/duckdb.ts';
import { createKafka, createProducer } from '../../core/kafka/client.ts';
import { identifier, integer, literal, renderSql } from '../../core/sql-files.ts';

export async function smoke(config: Config, print: (line: string) => void): Promise<void> {
  const runId = Date.now().toString(36);
  const topic = `${config.CDC_TOPIC_PREFIX}._smoke`;
  const kafka = createKafka(config);
  const producer = createProducer(kafka, { idempotent: true });
  await producer.connect();
  try {
    const sent = await producer.send({
      topic,
      acks: -1,
      messages: [{ key: runId, value: JSON.stringify({ runId }) }],
    });
    print(
      `kafka     1 record on ${topic}, offset ${sent[0]?.baseOffset ?? '?'} (${config.KAFKA_BROKERS.join(',')})`,
    );
  } finally {
    await producer.disconnect();
  }

  const duck = await openDuckDB(config);
  try {
    const rawPath = `s3://${config.S3_BUCKET}/smoke/${runId}/events.parquet`;
    await duck.connection.run(
      renderSql('smoke/write-events.sql', { rows: integer(10_000), raw_path: literal(rawPath) }),
    );
    print(`s3        10000 change events written to ${rawPath} (${config.S3_ENDPOINT})`);
    await attachLake(duck.connection, config);
    await duck.connection.run(renderSql('smoke/create-schema.sql', {}));
    const table = identifier(`run_${runId}`);
    await duck.connection.run(renderSql('smoke/create-latest.sql', { table, raw_path: literal(rawPath) }));
    const result = await duck.connection.runAndReadAll(renderSql('smoke/summary.sql', { table }));
    const row = result.getRowObjects()[0] ?? {};
    print(
      `ducklake  lake.smoke.run_${runId}: ${String(row['keys'])} keys, total_amount ${String(row['total'])} ` +
        `(catalog ${redact(config.LAKE_CATALOG)}, data ${config.LAKE_DATA_PATH})`,
    );
  } finally {
    duck.close();
  }
}
