// Running the `cdclake` command as a child process, as a user would, so a test can kill -9 it.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configEnv, type Config } from '../../core/config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export { configEnv };

export interface Child {
  process: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

/** `node`: the Node.js binary to run it with (another release than the test's own). */
export function startCdclake(
  config: Config,
  args: string[],
  extraEnv: Record<string, string> = {},
  node = process.execPath,
): Child {
  const child = spawn(node, [path.join(ROOT, 'bin', 'cdclake.js'), ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...configEnv(config),
      LOG_LEVEL: 'warn',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, exited, output: () => output };
}

export async function runCdclake(
  config: Config,
  args: string[],
  extraEnv: Record<string, string> = {},
  timeoutMs = 300_000,
  node = process.execPath,
): Promise<string> {
  const child = startCdclake(config, args, extraEnv, node);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`cdclake ${args.join(' ')} exited ${code}:\n${child.output()}`);
  return child.output();
}

/** Stops a child with SIGTERM, as a user's Ctrl-C would; resolves its exit code, and on any other than 0
 * writes what it said, so the failure shows why. */
export async function stopCdclake(child: Child): Promise<number | null> {
  child.process.kill('SIGTERM');
  const code = await child.exited;
  if (code !== 0) process.stderr.write(`cdclake exited ${code} on SIGTERM; its output:\n${child.output()}\n`);
  return code;
}
