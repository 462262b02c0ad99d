// Contract 2's object keys: raw/<topic>/partition=<p>/<topic>+<p>+<firstOffset>+<lastOffset>.parquet,
// offsets zero-padded to 20 digits so keys sort by offset and a listing with StartAfter returns only
// what is newer.

const WIDTH = 20;

export function partitionPrefix(root: string, topic: string, partition: number): string {
  return `${root}${topic}/partition=${partition}/`;
}

export function rawObjectKey(
  root: string,
  topic: string,
  partition: number,
  first: bigint,
  last: bigint,
): string {
  return `${partitionPrefix(root, topic, partition)}${topic}+${partition}+${pad(first)}+${pad(last)}.parquet`;
}

/** The key to list after so that only objects whose first offset is >= `offset` come back. */
export function startAfterFor(root: string, topic: string, partition: number, offset: bigint): string {
  if (offset <= 0n) return partitionPrefix(root, topic, partition);
  return `${partitionPrefix(root, topic, partition)}${topic}+${partition}+${pad(offset - 1n)}+${'9'.repeat(WIDTH)}`;
}

export interface RawObjectName {
  topic: string;
  partition: number;
  first: bigint;
  last: bigint;
}

export function parseRawObjectKey(key: string): RawObjectName | undefined {
  return parseOffsetsName(key, 'parquet');
}

/** `<topic>+<partition>+<first>+<last>.<extension>`, the name of a raw object or of a recorded gap. */
function parseOffsetsName(key: string, extension: 'parquet' | 'json'): RawObjectName | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const match = /^(.+)\+(\d+)\+(\d{20})\+(\d{20})\.([a-z]+)$/.exec(name);
  if (match === null || match[5] !== extension) return undefined;
  return {
    topic: match[1] as string,
    partition: Number(match[2]),
    first: BigInt(match[3] as string),
    last: BigInt(match[4] as string),
  };
}

function pad(offset: bigint): string {
  return offset.toString().padStart(WIDTH, '0');
}

/**
 * Offsets Kafka deleted before they reached raw, skipped with CONSUMER_ACCEPT_GAP=true: one small JSON object
 * per gap under `<root>_gaps/`, named like a raw object so a partition's gaps list in offset order.
 */
export function gapsPrefix(root: string, topic?: string, partition?: number): string {
  if (topic === undefined) return `${root}_gaps/`;
  return `${root}_gaps/${topic}+${partition ?? ''}${partition === undefined ? '' : '+'}`;
}

export function gapKey(root: string, topic: string, partition: number, first: bigint, last: bigint): string {
  return `${gapsPrefix(root, topic, partition)}${pad(first)}+${pad(last)}.json`;
}

export function parseGapKey(key: string): RawObjectName | undefined {
  return parseOffsetsName(key, 'json');
}
