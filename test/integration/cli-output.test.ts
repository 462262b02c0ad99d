// What a command prints arrives whole through a pipe: `cdclake query ... --format csv | wc -l` counted a few
// hundred lines of 100,001 when the process exited before stdout was flushed.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { lakeTestConfig, uniqueId } from '../support/fixtures.ts';
import { configEnv } from '../support/processes.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

test('cdclake query of 100k rows through a pipe arrives whole, every time', async () => {
  const config = lakeTestConfig(uniqueId('pipe'));
  const cdclake = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'bin', 'cdclake.js'))}`;
  const sql = "SELECT range AS n, repeat('x', 40) AS pad FROM range(100000)";
  for (let i = 0; i < 3; i++) {
    // A slow reader: the pipe fills, and the writer must wait for it before exiting.
    const { stdout } = await run(
      'bash',
      ['-c', `${cdclake} query "${sql}" --format csv | (sleep 0.3; wc -l)`],
      { cwd: ROOT, env: { ...process.env, ...configEnv(config), LOG_LEVEL: 'warn' }, maxBuffer: 1 << 20 },
    );
    expect(Number(stdout.trim())).toBe(100_001);
  }
}, 120_000);

test("a command prints no warning a user did not ask for (the AWS SDK's Node version notice)", async () => {
  const config = lakeTestConfig(uniqueId('quiet'));
  const env: Record<string, string | undefined> = { ...process.env, ...configEnv(config), LOG_LEVEL: 'warn' };
  delete env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];
  const { stdout, stderr } = await run(
    process.execPath,
    [path.join(ROOT, 'bin', 'cdclake.js'), 'status', '--format', 'csv'],
    { cwd: ROOT, env },
  );
  expect(stdout).toMatch(/^table,/);
  expect(stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK/);
}, 120_000);
