// How fast TableCodec encodes the star-schema workload (encodeKey + encodeEvent per change, as the generator
// -> Kafka path does), beside its peer: avsc's generic encoder writing the same records, values unchecked.
// Both must give the same bytes for every change; the bench stops if they do not.
// Run: npx tsx bench/codec.bench.ts [--orders N] [--scale X] [--runs R]

import { generatedEvent } from '../producer/generator/kafka-target.ts';
import { parseArgs } from 'node:util';
import { TableCodec } from '../core/events/envelope-codec.ts';
import { encodeSingleObject } from '../core/events/single-object.ts';
import type { ChangeEvent, Row } from '../core/events/types.ts';
import { starSchemaTables } from '../producer/generator/tables.ts';
import { generateWorkload, type GeneratedChange } from '../producer/generator/workload.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '200000' },
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '42' },
    runs: { type: 'string', default: '5' },
  },
});
const orders = Math.round(Number(values.orders) * Number(values.scale));
const runs = Number(values.runs);

const changes: GeneratedChange[] = [];
for (const batch of generateWorkload({ seed: Number(values.seed), orders })) changes.push(...batch);
const codecs = new Map(starSchemaTables.map((table) => [table.name, new TableCodec(table)]));
const codecOf = (change: GeneratedChange): TableCodec => codecs.get(change.table.name) as TableCodec;
const keyRowOf = (change: GeneratedChange): Row => (change.after ?? change.before) as Row;

/** The envelope the Kafka target builds around a generated change. */
const eventOf = (change: GeneratedChange, nowMs: bigint): ChangeEvent => generatedEvent(change, nowMs, nowMs);

function tableCodec(change: GeneratedChange, nowMs: bigint): [Buffer, Buffer] {
  const codec = codecOf(change);
  return [codec.encodeKey(keyRowOf(change)), codec.encodeEvent(eventOf(change, nowMs))];
}

/** The peer: avsc's generic Type.encode of the same records (decimals as text through its logical type). */
function avscGeneric(change: GeneratedChange, nowMs: bigint): [Buffer, Buffer] {
  const codec = codecOf(change);
  const row = keyRowOf(change);
  const key = Object.fromEntries(codec.table.key.map((name) => [name, row[name]]));
  const event = eventOf(change, nowMs);
  return [
    encodeSingleObject(codec.key.schema, key),
    encodeSingleObject(codec.value.schema, { ...event, pos: event.pos.toString() }),
  ];
}

function encodeAll(encode: (change: GeneratedChange, nowMs: bigint) => [Buffer, Buffer]): number {
  const nowMs = BigInt(Date.now());
  let bytes = 0;
  for (const change of changes) {
    const [key, value] = encode(change, nowMs);
    bytes += key.length + value.length;
  }
  return bytes;
}

function timed(run: () => unknown): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const nowMs = BigInt(Date.now());
for (const change of changes) {
  const ours = tableCodec(change, nowMs);
  const peer = avscGeneric(change, nowMs);
  if (!ours[0].equals(peer[0]) || !ours[1].equals(peer[1])) {
    throw new Error(`TableCodec and avsc disagree on change pos ${change.pos} of ${change.table.name}`);
  }
}
const bytes = encodeAll(tableCodec);
console.log(
  `${fmt(changes.length)} changes, ${(bytes / changes.length).toFixed(1)} bytes per key + value, ` +
    'the same bytes from TableCodec and avsc for every change',
);

const ours: number[] = [];
const peer: number[] = [];
for (let run = 1; run <= runs; run++) {
  ours.push(changes.length / timed(() => encodeAll(tableCodec)));
  peer.push(changes.length / timed(() => encodeAll(avscGeneric)));
  console.log(
    `run ${run}: TableCodec ${fmt(ours.at(-1) as number)} events/s, avsc generic ${fmt(peer.at(-1) as number)} events/s`,
  );
}
console.log(
  `median of ${runs}: TableCodec ${fmt(median(ours))} events/s (encodeKey + encodeEvent, values checked), ` +
    `avsc generic ${fmt(median(peer))} events/s (unchecked), ratio ${(median(ours) / median(peer)).toFixed(2)}`,
);
