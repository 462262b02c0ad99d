// `npm run test:chaos [-- --changes N --seed S --minutes M]`: the full chaos run (harness.ts), outside
// `npm test`. scripts/test-chaos.sh hands the flags over as CHAOS_* variables.

import { expect, inject, test } from 'vitest';
import { describeSummary, runChaos } from './harness.ts';

const changes = Number(process.env['CHAOS_CHANGES'] ?? 500_000);
const seed = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 1_000_000));
const minutes = Number(process.env['CHAOS_MINUTES'] ?? 10);

test(
  `chaos: ${changes} changes over ${minutes} min, seed ${seed}`,
  async () => {
    const summary = await runChaos({
      changes,
      seed,
      minutes,
      baseEnv: { ...process.env, ...inject('env') },
      print: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`${describeSummary(summary)}\n`);
    expect(summary.problems).toEqual([]);
  },
  (minutes + 40) * 60_000,
);
