// Debezium JSON converter records written from Debezium's documented event format (test/fixtures/debezium).

import fs from 'node:fs';
import path from 'node:path';

export const DEBEZIUM_FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'debezium');

/** A sample as a Kafka message: its key and value as the JSON converter writes them (value null: a tombstone). */
export function debeziumSample(name: string): { key: Buffer | null; value: Buffer | null } {
  const record = JSON.parse(fs.readFileSync(path.join(DEBEZIUM_FIXTURES, `${name}.json`), 'utf8')) as {
    key: unknown;
    value?: unknown;
    valueText?: string;
  };
  const value =
    record.valueText !== undefined
      ? Buffer.from(record.valueText)
      : record.value === null
        ? null
        : Buffer.from(JSON.stringify(record.value));
  return { key: record.key === null ? null : Buffer.from(JSON.stringify(record.key)), value };
}
