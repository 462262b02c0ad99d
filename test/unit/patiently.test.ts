// The one retry loop of requests to a service that is away (core/patiently.ts): uploads, listings and
// Kafka's offsets at a resume.

import { expect, test } from 'vitest';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { patiently, retryDelayMs } from '../../core/patiently.ts';

test('retries wait 0.5 s, doubling, at most 30 s', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map(retryDelayMs)).toEqual([
    500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
  ]);
});

const away = new Error('connect ECONNREFUSED');

test('a failure that may pass is tried again until the request succeeds, each wait told', async () => {
  const told: [number, number][] = [];
  const result = await patiently(
    async (n) => {
      if (n < 3) throw away;
      return `done at ${n}`;
    },
    { forMs: 60_000, retriable: () => true, onRetry: (_e, attempt, waitMs) => told.push([attempt, waitMs]) },
  );
  expect(result).toBe('done at 3');
  expect(told).toEqual([
    [1, 500],
    [2, 1000],
  ]);
}, 10_000);

test('the budget bounds the waits, and the failure after it is thrown', async () => {
  let attempts = 0;
  const started = Date.now();
  await expect(
    patiently(
      async () => {
        attempts++;
        throw away;
      },
      { forMs: 120, retriable: () => true, onRetry: () => undefined },
    ),
  ).rejects.toBe(away);
  expect(attempts).toBeGreaterThanOrEqual(2);
  expect(Date.now() - started).toBeLessThan(2000);
});

test('a refusal ends it at once, or as the plainer error the check gives', async () => {
  const denied = new CdcError(ErrorCode.S3_CREDENTIALS, 'the S3 credentials were refused');
  let attempts = 0;
  const refuse = async (): Promise<never> => {
    attempts++;
    throw denied;
  };
  await expect(
    patiently(refuse, {
      forMs: 60_000,
      retriable: (e) => e instanceof CdcError && e.retriable,
      onRetry: () => undefined,
    }),
  ).rejects.toBe(denied);
  const plainer = new Error('SASL authentication failed for user "cdclake"');
  await expect(
    patiently(refuse, { forMs: 60_000, retriable: () => plainer, onRetry: () => undefined }),
  ).rejects.toBe(plainer);
  expect(attempts).toBe(2);
});

test('work no longer wanted, or aborted, ends with its failure', async () => {
  let wanted = true;
  await expect(
    patiently(
      async () => {
        wanted = false; // a rebalance moved the partition meanwhile
        throw away;
      },
      { forMs: 60_000, retriable: () => true, wanted: () => wanted, onRetry: () => undefined },
    ),
  ).rejects.toBe(away);
  const abort = new AbortController();
  const started = Date.now();
  const attempt = patiently(
    async () => {
      throw away;
    },
    { forMs: 60_000, retriable: () => true, signal: abort.signal, onRetry: () => abort.abort() },
  );
  await expect(attempt).rejects.toBe(away);
  expect(Date.now() - started).toBeLessThan(400); // the 500 ms wait was cut short
});
