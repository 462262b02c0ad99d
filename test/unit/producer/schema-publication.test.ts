// A writer schema is on the schemas topic before any event written with it (producer/schema-publication.ts).

import { expect, test } from 'vitest';
import { SchemaPublication } from '../../../producer/schema-publication.ts';

const schema = (n: number): { fingerprint: bigint; json: string } => ({
  fingerprint: BigInt(n),
  json: `{"type":"record","name":"t${n}","fields":[]}`,
});

function topic(options: { failures?: number } = {}): {
  publication: SchemaPublication;
  written: string[][];
  hold(): () => void;
} {
  const written: string[][] = [];
  let failures = options.failures ?? 0;
  let gate: Promise<void> = Promise.resolve();
  const publication = new SchemaPublication(async (entries) => {
    await gate;
    if (failures > 0) {
      failures--;
      throw new Error('broker restarting');
    }
    written.push(entries.map((e) => e.key));
  });
  return {
    publication,
    written,
    hold: () => {
      let release: () => void = () => undefined;
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
  };
}

test('added schemas are pending until a write of them is acknowledged; published ones are not written again', async () => {
  const { publication, written } = topic();
  expect(publication.ready).toBe(true);
  publication.add([schema(1), schema(2)]);
  expect(publication.ready).toBe(false);
  await publication.flush();
  expect(publication.ready).toBe(true);
  publication.add([schema(1), schema(3)]);
  await publication.flush();
  expect(written).toEqual([['0000000000000001', '0000000000000002'], ['0000000000000003']]);
});

test('a failed write keeps the schemas pending, and the next flush writes them', async () => {
  const { publication, written } = topic({ failures: 1 });
  publication.add([schema(7)]);
  await expect(publication.flush()).rejects.toThrow('broker restarting');
  expect(publication.ready).toBe(false); // events wait: the producer sends none while this is false
  await publication.flush();
  expect(written).toEqual([['0000000000000007']]);
  expect(publication.ready).toBe(true);
});

test('a schema added while a write is on its way is written before the flush resolves', async () => {
  const { publication, written, hold } = topic();
  const release = hold();
  publication.add([schema(1)]);
  const flushing = publication.flush();
  publication.add([schema(2)]); // a new codec, made while the first write waits for Kafka
  release();
  await flushing;
  expect(written).toEqual([['0000000000000001'], ['0000000000000002']]);
  expect(publication.ready).toBe(true);
});
