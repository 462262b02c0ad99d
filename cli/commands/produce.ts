// `cdclake produce --source postgres [--tables a,b] [--until-idle]`
// `cdclake produce --source generator --target postgres|kafka [--orders N] [--seed S] [--rate EVENTS_PER_S]`

import type { Config } from '../../core/config.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
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
    const server = await source.metrics
      .serve(config.METRICS_PORT, config.METRICS_HOST, { stallMs: config.HEALTH_STALL_MS })
      .catch((error: unknown) => {
        log.warn({ err: error, port: config.METRICS_PORT }, 'metrics port unavailable: serving no metrics');
        return undefined;
      });
    let stopped: () => void = () => undefined;
    const stopping = new Promise<void>((resolve) => (stopped = resolve));
    onStop(async () => {
      stopped();
      await source.stop();
    });
    let summary;
    try {
      summary = await source.run();
    } catch (error: unknown) {
      if (!(error instanceof CdcError) || error.code !== ErrorCode.SOURCE_SLOT_LOST) {
        await server?.close();
        throw error;
      }
      // Said once, plainly; a long-running producer then waits (health failing) instead of exiting into a
      // restart loop that would print the same error again and again.
      log.fatal({ code: error.code }, error.message);
      if (flags['until-idle'] !== true) {
        source.metrics.setUnhealthy(error.message);
        await stopping;
      }
      await server?.close();
      return 3;
    }
    await server?.close();
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
  throw new CdcError(
    ErrorCode.USAGE,
    `--source must be postgres or generator, not ${JSON.stringify(flags.source)}`,
  );
}
