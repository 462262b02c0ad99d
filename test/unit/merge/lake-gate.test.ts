import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { LakeGate } from '../../../merge/lake-gate.ts';

type Span = { kind: 'shared' | 'change'; start: number; end: number };

function recorder(): { spans: Span[]; work: (kind: Span['kind'], ms: number) => () => Promise<void> } {
  const spans: Span[] = [];
  let clock = 0;
  const tick = (): number => ++clock;
  return {
    spans,
    work: (kind, ms) => async () => {
      const start = tick();
      await sleep(ms);
      spans.push({ kind, start, end: tick() });
    },
  };
}

const overlap = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

test('shared work runs side by side; a schema change runs with nothing else under way', async () => {
  const gate = new LakeGate();
  const { spans, work } = recorder();
  await Promise.all([
    gate.shared(work('shared', 30)),
    gate.shared(work('shared', 30)),
    (async () => {
      await sleep(5);
      await gate.schemaChange(work('change', 20));
    })(),
    (async () => {
      await sleep(10); // asked for after the schema change: waits behind it
      await gate.shared(work('shared', 10));
    })(),
  ]);
  const shared = spans.filter((s) => s.kind === 'shared');
  const [change] = spans.filter((s) => s.kind === 'change');
  expect(shared).toHaveLength(3);
  expect(overlap(shared[0] as Span, shared[1] as Span)).toBe(true);
  expect(shared.filter((s) => overlap(s, change as Span))).toEqual([]);
  // The shared work asked for while the change waited came after it, not before.
  expect((shared[2] as Span).start).toBeGreaterThan((change as Span).end);
});

test('a schema change asked for from within shared work waits for the other work only, then the work goes on', async () => {
  const gate = new LakeGate();
  const { spans, work } = recorder();
  const order: string[] = [];
  await Promise.all([
    gate.shared(async () => {
      order.push('merge starts');
      await sleep(5);
      await gate.schemaChange(work('change', 10)); // would wait forever for its own share
      order.push('merge goes on');
    }),
    gate.shared(work('shared', 30)),
  ]);
  expect(order).toEqual(['merge starts', 'merge goes on']);
  const [other] = spans.filter((s) => s.kind === 'shared');
  const [change] = spans.filter((s) => s.kind === 'change');
  expect(overlap(other as Span, change as Span)).toBe(false);
});

test('two schema changes never overlap, nor does nested shared work deadlock', async () => {
  const gate = new LakeGate();
  const { spans, work } = recorder();
  await Promise.all([
    gate.shared(async () => {
      await gate.shared(async () => gate.schemaChange(work('change', 10)));
    }),
    gate.shared(async () => gate.schemaChange(work('change', 10))),
    gate.schemaChange(work('change', 10)),
  ]);
  const changes = spans.filter((s) => s.kind === 'change');
  expect(changes).toHaveLength(3);
  for (const a of changes) for (const b of changes) if (a !== b) expect(overlap(a, b)).toBe(false);
});
