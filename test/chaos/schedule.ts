// The chaos run's fault schedule: which fault, when, and for how long, drawn from a seed so that a failed
// run can be replayed exactly (`npm run test:chaos -- --seed S`). Pure: no services.
//
// The pipeline runs as four processes (producer, consumer, two merge workers) except for a window in the
// middle of the run where `cdclake up` stands in for the producer, the consumer and the first merge worker:
// it is entered by killing those three with SIGKILL at once and left by the `kill-up` fault, so that
// every kind of process is killed at least once.

export const FaultKind = {
  killProducer: 'kill-producer',
  killConsumer: 'kill-consumer',
  killMerge: 'kill-merge',
  enterUp: 'enter-up',
  killUp: 'kill-up',
  restartKafka: 'restart-kafka',
  restartMinio: 'restart-minio',
  hangMinio: 'hang-minio',
  restartPostgres: 'restart-postgres',
  rebalance: 'rebalance',
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

export const FAULT_KINDS: readonly FaultKind[] = Object.values(FaultKind);

export interface Fault {
  kind: FaultKind;
  /** Seconds after the start of the run. */
  at: number;
  /** How long the fault lasts: a service down, a killed process not yet restarted, a second consumer in. */
  seconds: number;
}

/** A small, fast, seedable generator (mulberry32): the same seed gives the same schedule everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How long each kind lasts, in seconds: [shortest, longest]. */
const DURATION: Record<FaultKind, readonly [number, number]> = {
  'kill-producer': [1, 4],
  'kill-consumer': [1, 4],
  'kill-merge': [1, 4],
  'enter-up': [1, 3],
  'kill-up': [1, 4],
  'restart-kafka': [2, 10],
  'restart-minio': [1, 5],
  // Long enough that requests in flight time out: the server accepts connections and answers nothing.
  'hang-minio': [40, 60],
  'restart-postgres': [1, 6],
  rebalance: [8, 20],
};

/** Kinds that need the four separate processes (not `up`) to be running. */
const SEPARATE_ONLY = new Set<FaultKind>(['kill-producer', 'kill-consumer']);

/**
 * Faults for a run of `seconds`, in time order and not overlapping: every kind in `kinds` once, then as many
 * more (drawn from the kinds that can recur) as fit one per `spacing` seconds. The `up` window is the middle
 * third of the run when both enter-up and kill-up are among `kinds`.
 */
export function chaosSchedule(
  seed: number,
  seconds: number,
  kinds: readonly FaultKind[] = FAULT_KINDS,
  spacing = 25,
): Fault[] {
  const random = seededRandom(seed);
  const between = (low: number, high: number): number => low + random() * (high - low);
  const duration = (kind: FaultKind): number => Math.round(between(...DURATION[kind]));
  const withUp = kinds.includes('enter-up') && kinds.includes('kill-up');
  const upFrom = seconds / 3;
  const upTo = (2 * seconds) / 3;
  const faults: Fault[] = [];
  if (withUp) {
    faults.push({ kind: 'enter-up', at: Math.round(upFrom), seconds: duration('enter-up') });
    faults.push({ kind: 'kill-up', at: Math.round(upTo), seconds: duration('kill-up') });
  }
  const wanted = kinds.filter((k) => k !== 'enter-up' && k !== 'kill-up');
  const recurring = wanted.filter((k) => k !== 'hang-minio');
  const extra = Math.max(0, Math.floor((seconds * 0.75) / spacing) - faults.length - wanted.length);
  const picks = [
    // Every kind asked for, the longest first so that it finds room, then random ones that recur.
    ...[...wanted].sort((a, b) => DURATION[b][1] - DURATION[a][1]),
    ...Array.from({ length: extra }, () => recurring[Math.floor(random() * recurring.length)] as FaultKind),
  ];
  for (const [i, kind] of picks.entries()) {
    const length = duration(kind);
    let placed = false;
    // A free place in the first 85% of the run, clear of the others by a few seconds either side.
    for (let attempt = 0; attempt < 500 && !placed; attempt++) {
      const at = Math.round(between(seconds * 0.08, seconds * 0.85 - length));
      const inUp = withUp && at + length >= upFrom - 2 && at <= upTo + 6;
      if (SEPARATE_ONLY.has(kind) && inUp) continue;
      if (faults.some((f) => at + length + 4 > f.at && f.at + f.seconds + 4 > at)) continue;
      faults.push({ kind, at, seconds: length });
      placed = true;
    }
    if (!placed && i < wanted.length)
      throw new Error(
        `no room for a ${kind} fault in a run of ${seconds} s beside the others: give the run more minutes`,
      );
  }
  return faults.sort((a, b) => a.at - b.at);
}

/** The schedule as printed at the start of a run. */
export function describeSchedule(faults: readonly Fault[]): string {
  return faults
    .map((f) => `  t+${String(f.at).padStart(4)} s  ${f.kind.padEnd(16)} ${f.seconds} s`)
    .join('\n');
}
