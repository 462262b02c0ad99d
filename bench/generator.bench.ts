// How fast the synthetic workload generator produces changes on its own (no encoding, no Kafka), beside
// its peer: the bare allocation floor, the same number of change objects and rows filled with constants.
// Run: npx tsx bench/generator.bench.ts [--orders N] [--seed S] [--runs R]

import { parseArgs } from 'node:util';
import { ordersTable } from '../producer/generator/tables.ts';
import { generateWorkload, type GeneratedChange } from '../producer/generator/workload.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    runs: { type: 'string', default: '5' },
  },
});
const orders = Number(values.orders);
const seed = Number(values.seed);
const runs = Number(values.runs);

/** Consumes the workload as a publisher would: batch by batch, looking at every change. */
function generate(): { events: number; ops: Record<string, number> } {
  const ops: Record<string, number> = { c: 0, u: 0, d: 0 };
  for (const batch of generateWorkload({ seed, orders })) {
    for (const change of batch) ops[change.op]!++;
  }
  return { events: ops.c! + ops.u! + ops.d!, ops };
}

/** The peer: as many changes, each a fresh change object and order row, with no logic at all. */
function floor(events: number): number {
  let batch: GeneratedChange[] = [];
  let pos = 0n;
  let seen = 0;
  for (let i = 1; i <= events; i++) {
    const at = BigInt((1_700_000_000_000 + i) * 1000);
    const after = {
      order_id: BigInt(i),
      customer_id: 5n,
      product_id: 7n,
      ordered_at: at,
      quantity: 3,
      unit_price: '12.50',
      discount: '0.00',
      total_amount: String(i % 100_000) + '.25',
      status: 'pending',
      updated_at: at,
    };
    batch.push({ table: ordersTable, op: 'c', before: null, after, pos: ++pos, txId: i });
    if (batch.length >= 4096) {
      seen += batch.length;
      batch = [];
    }
  }
  return seen + batch.length;
}

function timed<T>(run: () => T): { result: T; seconds: number; cpuSeconds: number } {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { result, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

const rate = (events: number, seconds: number): string =>
  `${Math.round(events / seconds).toLocaleString('en-US')}/s`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const generatorRates: number[] = [];
const floorRates: number[] = [];
for (let run = 1; run <= runs; run++) {
  const g = timed(generate);
  const { events, ops } = g.result;
  const f = timed(() => floor(events));
  generatorRates.push(events / g.seconds);
  floorRates.push(events / f.seconds);
  console.log(
    `run ${run}: generator ${events.toLocaleString('en-US')} events (${ops.c} c, ${ops.u} u, ${ops.d} d) ` +
      `in ${g.seconds.toFixed(2)} s (cpu ${g.cpuSeconds.toFixed(2)} s): ${rate(events, g.seconds)}; ` +
      `floor ${rate(events, f.seconds)}; rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
  );
}
const g = median(generatorRates);
const f = median(floorRates);
console.log(
  `median of ${runs}: generator ${Math.round(g).toLocaleString('en-US')} events/s, ` +
    `floor ${Math.round(f).toLocaleString('en-US')} events/s, ratio ${(g / f).toFixed(2)}`,
);
