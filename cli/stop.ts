// One memoised stop for a long-running command: SIGTERM, SIGINT and fatal errors all end in it.
// Signals are caught from the start, so a stop asked for while the command is still starting is kept.

let stopRequested = false;
let stopping: Promise<void> | undefined;
const handlers: (() => Promise<void>)[] = [];

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stopAll());

export function onStop(handler: () => Promise<void>): void {
  handlers.push(handler);
  if (stopRequested) void handler();
}

export function stopAll(): Promise<void> {
  // Nothing long-running has registered: stop the way a signal normally does.
  if (handlers.length === 0) process.exit(130);
  stopRequested = true;
  stopping ??= Promise.allSettled(handlers.map((h) => h())).then(() => undefined);
  return stopping;
}
