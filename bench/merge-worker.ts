// One merge process of bench/merge-scale-out.bench.ts: opens the lake (configured by its environment), says
// `ready`, waits for `go` on stdin, runs one bronze pass (`merge --once` without the models) and prints what
// it merged, when, and the CPU time it took (DuckDB's threads included), as one JSON line. Several of them at once share the topics through their leases.

import readline from 'node:readline';
import { resolveConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { MergeJob } from '../merge/merge-job.ts';

const job = new MergeJob(resolveConfig(), createLogger('bench', 'warn'), { models: false });
try {
  await job.query('SELECT 1');
  process.stdout.write('ready\n');
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const started = Date.now();
  const cpu = process.cpuUsage();
  const result = await job.pass({ models: false });
  const ended = Date.now();
  const used = process.cpuUsage(cpu);
  if (result.failed.length > 0) throw result.failed[0]?.error;
  process.stdout.write(
    JSON.stringify({
      started,
      ended,
      rawRows: result.merged.reduce((n, m) => n + m.rawRows, 0),
      tables: result.merged.length,
      busy: result.busy?.length ?? 0,
      cpuSeconds: (used.user + used.system) / 1e6,
    }) + '\n',
  );
} finally {
  job.close();
}
