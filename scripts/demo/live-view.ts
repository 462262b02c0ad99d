// The demo's status in the terminal: on a TTY a block redrawn in place about once a second; otherwise one
// plain line every few seconds, so a log or a pipe gets a readable record.

import type { LakeSnapshot } from './lake-probe.ts';

export interface StageLine {
  name: string;
  perSecond: number;
  total: number;
  note: string;
}

export interface ViewState {
  title: string;
  elapsedS: number;
  stages: StageLine[];
  lake: LakeSnapshot | undefined;
  lakeNote: string | undefined;
  phase: string;
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');

function freshness(lake: LakeSnapshot): { newest: string; perTable: string } {
  const tables = lake.tables.filter((t) => t.freshness_s !== null);
  if (tables.length === 0) return { newest: '-', perTable: '' };
  // The figure was computed when the lake was read; the view ages it to now.
  const age = (t: (typeof tables)[number]) => (t.freshness_s as number) + (Date.now() - lake.at) / 1000;
  const newest = Math.min(...tables.map(age));
  return {
    newest: `${newest.toFixed(1)} s`,
    perTable: tables.map((t) => `${t.table} ${age(t).toFixed(1)} s`).join(', '),
  };
}

export function renderBlock(state: ViewState): string[] {
  const lines = [`${state.title}  ·  ${state.elapsedS.toFixed(0)} s  ·  ${state.phase}`, ''];
  lines.push(`  ${'stage'.padEnd(10)} ${'events/s'.padStart(9)} ${'total'.padStart(10)}`);
  for (const s of state.stages)
    lines.push(`  ${s.name.padEnd(10)} ${n(s.perSecond).padStart(9)} ${n(s.total).padStart(10)}   ${s.note}`);
  lines.push('');
  const lake = state.lake;
  if (lake === undefined) {
    lines.push(`  lake       ${state.lakeNote ?? 'not read yet'}`);
  } else {
    const fresh = freshness(lake);
    lines.push(
      `  lake       bronze ${n(lake.rows.bronze)} rows   silver ${n(lake.rows.silver)}   gold ${n(lake.rows.gold)}` +
        `   raw not merged yet: ${n(lake.behind)} events`,
    );
    lines.push(
      `  bronze     ${lake.tables.map((t) => `${t.table} ${t.live_rows === null ? '-' : n(t.live_rows)}`).join(', ') || '-'}`,
    );
    lines.push(`  freshness  ${fresh.newest}${fresh.perTable === '' ? '' : ` (${fresh.perTable})`}`);
    if (state.lakeNote !== undefined) lines.push(`  note       ${state.lakeNote}`);
  }
  return lines;
}

export function renderLine(state: ViewState): string {
  const stages = state.stages.map(
    (s) => `${s.name} ${n(s.perSecond)}/s ${n(s.total)}${s.note ? ` ${s.note}` : ''}`,
  );
  const lake = state.lake;
  const lakePart =
    lake === undefined
      ? `lake ${state.lakeNote ?? 'not read yet'}`
      : `bronze ${n(lake.rows.bronze)} silver ${n(lake.rows.silver)} gold ${n(lake.rows.gold)} | ` +
        `not merged ${n(lake.behind)} | freshness ${freshness(lake).newest}`;
  return `[${state.elapsedS.toFixed(0).padStart(4)} s] ${state.phase} | ${stages.join(' | ')} | ${lakePart}`;
}

export class LiveView {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly plainEveryMs: number;
  private drawn = 0;
  // The first line is printed at once, however soon after the process started.
  private lastPlain = -Infinity;

  constructor(stream: NodeJS.WriteStream, plainEveryMs: number) {
    this.stream = stream;
    this.tty = stream.isTTY === true;
    this.plainEveryMs = plainEveryMs;
  }

  /** Redraws the block (TTY), or prints a line when `plainEveryMs` has passed or `force` is set. */
  show(state: ViewState, force = false): void {
    if (this.tty) {
      const lines = renderBlock(state);
      // Back to the block's first line, clear to the end of the screen, draw again.
      const back = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[0J` : '';
      this.stream.write(back + lines.join('\n') + '\n');
      this.drawn = lines.length;
      return;
    }
    const now = performance.now();
    if (!force && now - this.lastPlain < this.plainEveryMs) return;
    this.lastPlain = now;
    this.stream.write(renderLine(state) + '\n');
  }

  /** What follows is printed below the last block, which stays on screen. */
  release(): void {
    this.drawn = 0;
  }
}
