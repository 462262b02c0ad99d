// Durations on the command line and in configuration: 500ms, 30s, 5m, 1h, 7d.

import { CdcError, ErrorCode } from './errors.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, rounded; NaN for text that is not a duration. */
export function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  return match === null ? NaN : Math.round(Number(match[1]) * (UNITS[match[2] as string] as number));
}

export function parseDuration(text: string, what: string): number {
  const ms = durationMs(text);
  if (!Number.isFinite(ms) || ms <= 0)
    throw new CdcError(
      ErrorCode.CONFIG_INVALID,
      `${what} ${JSON.stringify(text)}: expected a duration such as 500ms, 30s, 5m, 1h or 7d`,
    );
  return ms;
}

/** The shortest way `parseDuration` reads back: 7d, 1h, 30s, 1500ms. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [...Object.entries(UNITS)].reverse())
    if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
