// One memoised stop for a long-running command: SIGTERM, SIGINT and fatal errors all end in it.

let stopping: Promise<void> | undefined;
const handlers: (() => Promise<void>)[] = [];

export function onStop(handler: () => Promise<void>): void {
  handlers.push(handler);
  if (handlers.length === 1) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stopAll());
  }
}

export function stopAll(): Promise<void> {
  stopping ??= Promise.allSettled(handlers.map((h) => h())).then(() => undefined);
  return stopping;
}
