// Waiting in tests for something that happens in another process: the check is tried every `everyMs`
// (its errors count as "not yet"), and a timeout names what never happened.

import { setTimeout as sleep } from 'node:timers/promises';

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  ms: number,
  everyMs = 300,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}
