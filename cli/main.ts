// The `cdclake` command line: reads configuration once, runs one command, exits with its status.

import { parseArgs } from 'node:util';
import { resolveConfig, type Config } from '../core/config.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import { checkKafkaAccess } from '../core/kafka/access-check.ts';
import { kafkaAccessError } from '../core/kafka/access-errors.ts';
import type { ProduceFlags } from './commands/produce.ts';

// Each command is loaded when it runs: a consumer does not load PostgreSQL's client or the producer's Kafka
// client (about 50 MB of resident memory and a quarter second of start-up for the modules it never uses).

const USAGE = `usage: cdclake <command>

commands:
  up        [--merge-every DURATION]   the whole pipeline in one process: produce, consume and merge
  produce   --source postgres [--tables a,b] [--until-idle] [--resnapshot]
            --source generator --target postgres|kafka [--orders N] [--seed S] [--rate EVENTS_PER_S]
  snapshot  --tables a,b [--reconcile]   an incremental snapshot of tables, while the producer streams
  consume   [--topics REGEX] [--until-idle]
  merge     --once | --every DURATION   raw to bronze, silver and gold in the lake
  query     "SQL" [--format table|json|csv]   against the lake: bronze.*, silver.*, gold.*
  status    [--format table|json]   per table: rows, last merge, offsets behind, freshness
  tail      [TABLE|TOPIC ...] [--from beginning|end|TIME] [--follow] [--format json|table]
            the change events on Kafka, decoded, one per line (Avro and Debezium JSON)
  lake      compact   merge small files, expire old snapshots, delete unreferenced files
  lake      attach-sql [--with-secrets]   SQL for any DuckDB client to read the lake (no password)
  smoke     one small batch through Kafka, S3 and DuckLake, to prove the stack works
  help      this text

Configuration comes from environment variables; see the README's configuration table.`;

/** The configuration of a command that talks to Kafka, once Kafka has accepted its credentials. */
async function kafkaConfig(): Promise<Config> {
  const config = resolveConfig();
  await checkKafkaAccess(config);
  return config;
}

/** A refusal by Kafka surfacing later (mid-run, or after a client's retries) is told as plainly. */
function plainly(error: unknown): unknown {
  // Already named (a PostgreSQL TLS failure is a CdcError too); and with Kafka in plain text, a TLS or
  // authentication failure is not Kafka's.
  if (error instanceof CdcError && error.code !== ErrorCode.KAFKA_PUBLISH) return error;
  try {
    const config = resolveConfig();
    if (config.KAFKA_SECURITY_PROTOCOL === 'PLAINTEXT') return error;
    return kafkaAccessError(error, config) ?? error;
  } catch {
    return error;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'produce': {
      const { values } = parseArgs({
        args: rest,
        options: {
          source: { type: 'string' },
          target: { type: 'string' },
          tables: { type: 'string' },
          'until-idle': { type: 'boolean' },
          resnapshot: { type: 'boolean' },
          orders: { type: 'string' },
          seed: { type: 'string' },
          rate: { type: 'string' },
          customers: { type: 'string' },
          products: { type: 'string' },
          changes: { type: 'string' },
          expected: { type: 'string' },
        },
      });
      const { produce } = await import('./commands/produce.ts');
      return produce(await kafkaConfig(), values as ProduceFlags);
    }
    case 'up': {
      const { values } = parseArgs({ args: rest, options: { 'merge-every': { type: 'string' } } });
      const { up } = await import('./commands/up.ts');
      return up(await kafkaConfig(), values);
    }
    case 'snapshot': {
      const { values } = parseArgs({
        args: rest,
        options: { tables: { type: 'string' }, reconcile: { type: 'boolean' } },
      });
      const { snapshot } = await import('./commands/snapshot.ts');
      return snapshot(await kafkaConfig(), values, (line) => process.stdout.write(line + '\n'));
    }
    case 'consume': {
      const { values } = parseArgs({
        args: rest,
        options: { topics: { type: 'string' }, 'until-idle': { type: 'boolean' } },
      });
      const { consume } = await import('./commands/consume.ts');
      return consume(await kafkaConfig(), values);
    }
    case 'merge': {
      const { values } = parseArgs({
        args: rest,
        options: { once: { type: 'boolean' }, every: { type: 'string' } },
      });
      const { merge } = await import('./commands/merge.ts');
      return merge(resolveConfig(), values);
    }
    case 'query': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { format: { type: 'string' } },
      });
      const { query } = await import('./commands/query.ts');
      return query(resolveConfig(), positionals.join(' '), values);
    }
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { format: { type: 'string' } } });
      const { status } = await import('./commands/status.ts');
      return status(resolveConfig(), values);
    }
    case 'tail': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { from: { type: 'string' }, follow: { type: 'boolean' }, format: { type: 'string' } },
      });
      const { tail } = await import('./commands/tail.ts');
      return tail(await kafkaConfig(), positionals, values);
    }
    case 'lake': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { 'with-secrets': { type: 'boolean' } },
      });
      const { lake } = await import('./commands/lake.ts');
      return lake(resolveConfig(), positionals[0], values);
    }
    case 'smoke': {
      const { smoke } = await import('./commands/smoke.ts');
      await smoke(await kafkaConfig(), (line) => process.stdout.write(line + '\n'));
      return 0;
    }
    case undefined:
    case 'help':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`cdclake: unknown command ${JSON.stringify(command)}\n\n${USAGE}\n`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (caught: unknown) {
  const error = plainly(caught);
  const code = error instanceof CdcError ? ` [${error.code}]` : '';
  process.stderr.write(redact(`cdclake: ${error instanceof Error ? error.message : String(error)}${code}\n`));
  process.exitCode = 1;
}
// The work is done; client libraries may still hold sockets or timers open, so the process exits by hand.
// Not before what was written reached the reader: on a pipe, stdout and stderr are written asynchronously,
// and exiting at once cut `cdclake query ... | wc -l` short. A write's callback runs once every write before
// it is flushed.
await Promise.all(
  [process.stdout, process.stderr].map(
    (stream) =>
      new Promise<void>((resolve) => (stream.writableEnded ? resolve() : stream.write('', () => resolve()))),
  ),
);
process.exit(process.exitCode);
