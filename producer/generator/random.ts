// A small, fast, seeded pseudo-random generator (sfc32, seeded through splitmix32) for the workload.
// Pure 32-bit integer arithmetic, so a seed gives the same sequence on every machine and Node version.

import { CdcError, ErrorCode } from '../../core/errors.ts';

const TWO_POW_32 = 4294967296;

/** splitmix32: spreads one 32-bit word into well-mixed state words. */
function splitmix32(state: number): { state: number; value: number } {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return { state: next, value: (z ^ (z >>> 15)) | 0 };
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any safe integer; its high and low 32 bits both count. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed))
      throw new CdcError(ErrorCode.USAGE, `seed must be a safe integer, got ${seed}`);
    let s = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32) | 0, 0x85ebca6b);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = splitmix32(s);
      s = r.state;
      words.push(r.value);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform integer in [0, 2^32). */
  uint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const t = (((a + b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** A uniform integer in [0, n), for 0 < n <= 2^32. */
  int(n: number): number {
    return Math.floor((this.uint32() / TWO_POW_32) * n);
  }

  /** A uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** A uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/**
 * A table of 100 entries where value i appears weights[i] times, so `table[random.int(100)]` draws
 * value i with probability weights[i] percent at the cost of one lookup.
 */
export function percentTable(weights: readonly number[]): Uint8Array {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total !== 100) throw new CdcError(ErrorCode.INTERNAL, `weights must add up to 100, got ${total}`);
  const table = new Uint8Array(100);
  let at = 0;
  weights.forEach((weight, value) => {
    table.fill(value, at, at + weight);
    at += weight;
  });
  return table;
}
