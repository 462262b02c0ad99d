// What the benchmarks share: the machine's description, timing, peak RSS sampling, a markdown table and
// the results file shape { machine, scale, stages: [{ name, value, unit, peer, peer_value, ratio, target, meets }] }.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Stage {
  name: string;
  value: number;
  unit: string;
  peer: string;
  peer_value: number;
  ratio: number;
  target: string;
  meets: boolean;
}

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

export function progress(line: string): void {
  process.stderr.write(`\r\x1b[2K${line}`);
}

export function table(stages: Stage[]): string {
  const head =
    '| stage | value | unit | peer | peer value | ratio | target | meets |\n| --- | ---: | --- | --- | ---: | ---: | --- | --- |';
  const rows = stages.map(
    (s) =>
      `| ${s.name} | ${Math.round(s.value).toLocaleString('en-US')} | ${s.unit} | ${s.peer} | ${Math.round(s.peer_value).toLocaleString('en-US')} | ${s.ratio.toFixed(2)} | ${s.target} | ${s.meets ? 'yes' : 'no'} |`,
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
