// One `cdclake` command of the demo in its own child process: its output in a log file of its own (the
// terminal belongs to the live view), its metrics on a port of its own, and a stop that always ends it.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class CdclakeChild {
  readonly name: string;
  readonly args: string[];
  readonly metricsPort: number;
  readonly logFile: string;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<ChildExit>;
  exit: ChildExit | undefined;
  private readonly child: ChildProcess;

  constructor(
    name: string,
    args: string[],
    options: { env: Record<string, string>; metricsPort: number; logFile: string },
  ) {
    this.name = name;
    this.args = args;
    this.metricsPort = options.metricsPort;
    this.logFile = options.logFile;
    const log = fs.openSync(options.logFile, 'a');
    try {
      this.child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cdclake.js'), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...options.env, METRICS_PORT: String(options.metricsPort) },
        stdio: ['ignore', log, log],
      });
    } finally {
      fs.closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.child.once('error', () => {
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
    });
  }

  get command(): string {
    return `cdclake ${this.args.join(' ')}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** SIGTERM, then SIGKILL when it has not exited after `graceMs`; resolves with how it ended. */
  async stop(graceMs: number): Promise<ChildExit & { killed: boolean }> {
    if (this.exit !== undefined) return { ...this.exit, killed: false };
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const first = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (first !== 'late') return { ...first, killed: false };
    this.child.kill('SIGKILL');
    return { ...(await this.exited), killed: true };
  }

  /** The last lines of its log, to show why it failed. */
  tail(lines: number): string {
    const text = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }
}

export function describeExit(exit: ChildExit | undefined): string {
  if (exit === undefined) return 'running';
  return exit.signal !== null ? `ended by ${exit.signal}` : `exit code ${exit.code}`;
}

export { freePort } from '../../core/free-port.ts';

/** The generator's own count from its last log line: its metrics port closes as it exits. */
export function generatorEvents(child: CdclakeChild): number | undefined {
  const done = child
    .tail(50)
    .split('\n')
    .filter((line) => line.includes('"generator done"'))
    .at(-1);
  if (done === undefined) return undefined;
  try {
    return (JSON.parse(done) as { events?: number }).events;
  } catch {
    return undefined;
  }
}

const shortLived = new Set<ChildProcess>();

/** A short command whose output goes to the terminal (the gold tables); resolves with its exit code. */
export function cdclakeToTerminal(args: string[], env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cdclake.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    shortLived.add(child);
    child.once('exit', (code) => {
      shortLived.delete(child);
      resolve(code);
    });
  });
}

/** Ctrl-C: the short commands still running get SIGTERM too (they exit at once). */
export function stopShortLived(): void {
  for (const child of shortLived) child.kill('SIGTERM');
}
