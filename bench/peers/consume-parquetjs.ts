// `cdclake consume --until-idle` with the peer writer: the same RawConsumer, its batches written by
// parquetjs-lite (bench/peers/parquetjs-batch.ts). Run by bench/consumer.bench.ts as its own process, with
// its own consumer group and raw prefix, so its progress in S3 is its own.
//   npx tsx bench/peers/consume-parquetjs.ts

import { resolveConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { RawConsumer } from '../../consumer/raw-consumer.ts';
import { ParquetjsBatch } from './parquetjs-batch.ts';

const config = resolveConfig();
const log = createLogger('consumer', config.LOG_LEVEL);
const consumer = new RawConsumer(
  config,
  {
    untilIdle: true,
    openBatch: (topic, partition) => Promise.resolve(new ParquetjsBatch(topic, partition)),
  },
  log,
);
const summary = await consumer.run();
log.info(summary, 'consumer stopped');
process.exit(0);
