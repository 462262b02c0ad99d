// `cdclake produce --source postgres [--tables a,b] [--until-idle]`
// `cdclake produce --source generator --target postgres|kafka [--orders N] [--seed S] [--rate EVENTS_PER_S]`

import type { Config } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import type { GeneratorFlags } from '../../producer/generator-run.ts';
import { PostgresSource } from '../../producer/postgres/source.ts';
import { onStop } from '../stop.ts';

export interface ProduceFlags extends GeneratorFlags {
  source?: string;
  tables?: string;
  'until-idle'?: boolean;
  resnapshot?: boolean;
}

export async function produce(config: Config, flags: ProduceFlags): Promise<number> {
  const log = createLogger('producer', config.LOG_LEVEL);
  if (flags.source === 'postgres') {
    const source = new PostgresSource(
      config,
      {
        untilIdle: flags['until-idle'] === true,
        resnapshot: flags.resnapshot === true,
        ...(flags.tables === undefined ? {} : { tables: flags.tables.split(',') }),
      },
      log,
    );
    const server = await source.metrics.serve(config.METRICS_PORT).catch((error: unknown) => {
      log.warn({ err: error, port: config.METRICS_PORT }, 'metrics port unavailable: serving no metrics');
      return undefined;
    });
    onStop(() => source.stop());
    const summary = await source.run().finally(() => server?.close());
    log.info(
      {
        snapshotRows: summary.snapshotRows,
        changes: summary.changes,
        confirmedLsn: summary.confirmedLsn.toString(),
      },
      'producer stopped',
    );
    return 0;
  }
  if (flags.source === 'generator') {
    const { runGenerator } = await import('../../producer/generator-run.ts');
    return runGenerator(config, flags, log);
  }
  throw new Error(`--source must be postgres or generator, not ${JSON.stringify(flags.source)}`);
}
