// What the benchmarks share: the machine's description, timing, peak RSS sampling, a markdown table and
// the results file shape { machine, scale, stages: [{ name, value, unit, peer, peer_value, ratio, target, meets }] }.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../core/config.ts';
import { createKafka } from '../core/kafka/client.ts';

/** A figure with no target of its own has target '-' and meets true (nothing to fail); the table shows '-'. */
export interface Stage {
  name: string;
  value: number;
  unit: string;
  peer: string;
  peer_value: number;
  ratio: number;
  target: string;
  meets: boolean;
  /**
   * The figure against its DESIGN.md target's own figure (the throughput or the bound, not the peer ratio):
   * 1 or more reaches it. Null when the figure has no target.
   */
  vs_target: number | null;
}

/** `vs_target` for a figure that must be at least `target` (rates, ratios). */
export const atLeast = (value: number, target: number): number => value / target;
/** `vs_target` for a figure that must be at most `target` (seconds, MB). */
export const atMost = (value: number, target: number): number => target / value;

export function machine(): { cpu: string; cores: number; memory_gib: number; node: string } {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

export function argNumber(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const raw = index >= 0 ? process.argv[index + 1] : undefined;
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} ${raw}: expected a positive number`);
  return value;
}

export function argString(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** Samples this process's RSS every 100 ms while `work` runs. */
export async function withPeakRss<T>(
  work: () => Promise<T>,
): Promise<{ result: T; peakRssMb: number; seconds: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const started = performance.now();
  try {
    const result = await work();
    return { result, peakRssMb: Math.round(peak / 2 ** 20), seconds: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

let lastPlainProgress = 0;

/**
 * A progress line: redrawn in place on a terminal; elsewhere (a log, CI) printed as a plain line at most every
 * 5 s, so a log does not fill with thousands of redraws. An empty line ends a progress display.
 */
export function progress(line: string): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K${line}`);
    return;
  }
  const now = Date.now();
  if (line === '' || now - lastPlainProgress < 5000) return;
  lastPlainProgress = now;
  process.stderr.write(`${line}\n`);
}

/** A progress bar for a known total: `[#######.............]  35%`. */
export function bar(done: number, total: number, width = 20): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

/** Large figures as whole numbers with separators, small ones (seconds) with two decimals. */
function figure(value: number): string {
  return Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function table(stages: Stage[]): string {
  const head =
    '| stage | value | unit | peer | peer value | ratio | target | vs target | meets |\n| --- | ---: | --- | --- | ---: | ---: | --- | ---: | --- |';
  const rows = stages.map(
    (s) =>
      `| ${s.name} | ${figure(s.value)} | ${s.unit} | ${s.peer} | ${figure(s.peer_value)} | ${s.ratio.toFixed(2)} | ${s.target} | ${typeof s.vs_target === 'number' ? s.vs_target.toFixed(2) : '-'} | ${s.target === '-' ? '-' : s.meets ? 'yes' : 'no'} |`,
  );
  return [head, ...rows].join('\n');
}

export function writeResults(name: string, scale: number, stages: Stage[]): string {
  const dir = path.join(import.meta.dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({ machine: machine(), scale, date: new Date().toISOString(), stages }, null, 2) + '\n',
  );
  return file;
}

/** Installs a Debian package when its command is missing (the benchmarks' peers come from Debian). */
export function ensureCommand(command: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`installing ${pkg} for the peer measurement\n`);
    execFileSync('apt-get', ['install', '-y', '-q', pkg], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
}

/**
 * A process's peak RSS so far (VmHWM, the kernel's high-water mark) in kB; 0 once it has exited (its last
 * high-water mark was read by an earlier sample).
 */
export function peakRssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(hwm?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU seconds (user and system, every thread) a process has used so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every architecture Node runs on. */
const CLOCK_TICKS = 100;

/**
 * Runs `cdclake <args>` as its own process, as a user would, and samples its peak RSS from /proc
 * (VmHWM, the kernel's high-water mark). `profile` writes a V8 CPU profile into that folder.
 */
export function runCdclakeMeasured(
  args: string[],
  env: Record<string, string | undefined>,
  onTick?: () => void,
  profile?: string,
  stopWhen?: () => Promise<boolean>,
): Promise<Measured> {
  const root = path.resolve(import.meta.dirname, '..');
  return runNodeMeasured([path.join(root, 'bin', 'cdclake.js'), ...args], env, onTick, profile, stopWhen);
}

/** Runs a TypeScript script of the repository (through tsx) as its own process, measured as above. */
export function runScriptMeasured(
  script: string,
  env: Record<string, string | undefined>,
  onTick?: () => void,
): Promise<Measured> {
  return runNodeMeasured(['--import', 'tsx', path.resolve(import.meta.dirname, '..', script)], env, onTick);
}

/**
 * A measured process: its wall time, peak RSS, the CPU it used (sampled every 250 ms, so up to a quarter
 * second short; until `stopWhen` answered, when given) and the last 20,000 characters of its output.
 */
export interface Measured {
  seconds: number;
  peakRssMb: number;
  cpuSeconds: number;
  output: string;
}

/**
 * `stopWhen`, asked every 250 ms, ends a long-running command with SIGTERM once it answers true; `seconds` is
 * then the time until that answer, not until the exit.
 */
async function runNodeMeasured(
  args: string[],
  env: Record<string, string | undefined>,
  onTick?: () => void,
  profile?: string,
  stopWhen?: () => Promise<boolean>,
): Promise<Measured> {
  const { spawn } = await import('node:child_process');
  const root = path.resolve(import.meta.dirname, '..');
  const nodeArgs = profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`];
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let peakKb = 0;
  let cpu = 0;
  let doneAt: number | undefined;
  let asking = false;
  const sample = (): void => {
    peakKb = Math.max(peakKb, peakRssKb(child.pid));
    if (doneAt === undefined) cpu = Math.max(cpu, cpuSeconds(child.pid));
    onTick?.();
    if (stopWhen === undefined || doneAt !== undefined || asking) return;
    asking = true;
    void stopWhen()
      .then((done) => {
        if (!done || doneAt !== undefined) return;
        doneAt = performance.now();
        child.kill('SIGTERM');
      })
      .finally(() => (asking = false));
  };
  const timer = setInterval(sample, 250);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  const seconds = ((doneAt ?? performance.now()) - started) / 1000;
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}:\n${output}`);
  return { seconds, peakRssMb: Math.round(peakKb / 1024), cpuSeconds: cpu, output };
}

/** Deletes a bench's topics (every topic whose name starts with one of the prefixes) once it is measured. */
export async function deleteTopics(config: Config, ...prefixes: string[]): Promise<void> {
  const admin = createKafka(config).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** A running producer's change events handed to Kafka so far, from its /metrics; 0 while it does not answer. */
export async function producerEventsOut(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^cdclake_producer_events_total (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
