// The consumer against the real Kafka and MinIO: generated change events land as raw Parquet, typed,
// every offset exactly once, the latest event per key equal to the generator's expected final state.

import { describe, expect, test } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { RawConsumer } from '../../../consumer/raw-consumer.ts';
import { runGeneratorWorkload } from '../../../producer/generator-run.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { listRawObjects, overlaps, queryRaw, rawOffsetCounts } from '../../support/raw-layer.ts';

const log = createLogger('test');

describe('raw consumer', () => {
  test('generated events land once each, typed, and the latest per key equals the expected final state', async () => {
    const prefix = uniqueId('raw');
    const config = testConfig({
      CDC_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: '3',
      CONSUMER_BATCH_ROWS: '3000',
    });
    const generated = await runGeneratorWorkload(
      config,
      { target: 'kafka', orders: '5000', customers: '500', products: '50', changes: '3000' },
      log,
    );
    const summary = await new RawConsumer(config, { untilIdle: true }, log).run();
    expect(summary.events).toBe(generated.events);
    expect(summary.deadLetters).toBe(0);

    const objects = await listRawObjects(config, prefix);
    expect(objects.length).toBeGreaterThan(3);
    expect(overlaps(objects)).toEqual([]);
    const counts = await rawOffsetCounts(config, prefix);
    expect(counts).toEqual({ rows: generated.events, distinct_offsets: generated.events });

    const types = await queryRaw<{ column_name: string; column_type: string }>(
      config,
      `${prefix}.public.orders`,
      (raw) => `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${raw})`,
    );
    const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
    expect(typeOf).toMatchObject({
      _pos: 'DECIMAL(38,0)',
      _offset: 'BIGINT',
      order_id: 'BIGINT',
      total_amount: 'DECIMAL(12,2)',
      ordered_at: 'TIMESTAMP WITH TIME ZONE',
      quantity: 'INTEGER',
    });

    // Latest event per key, deletes left out, against the generator's expected state.
    const expectedPath = `s3://${config.S3_BUCKET}/expected/${prefix}/orders.parquet`;
    const [diff] = await queryRaw<{ missing: number; extra: number }>(
      config,
      `${prefix}.public.orders`,
      (raw) => `WITH latest AS (
          SELECT * EXCLUDE (_op, _pos, _ts_ms, _topic, _partition, _offset, _ingested_at, _unchanged), _op FROM ${raw}
          QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY _pos DESC, _offset DESC) = 1),
        live AS (SELECT * EXCLUDE (_op) FROM latest WHERE _op <> 'd'),
        expected AS (SELECT * FROM read_parquet('${expectedPath}'))
        SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM live))::INTEGER AS missing,
               (SELECT count(*) FROM (SELECT * FROM live EXCEPT SELECT * FROM expected))::INTEGER AS extra`,
    );
    expect(diff).toEqual({ missing: 0, extra: 0 });
  });
});
