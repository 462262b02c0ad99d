// Structured JSON logs (pino) with the same field names everywhere; quiet under the test runner.

import { pino, type Logger } from 'pino';

export function createLogger(name: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  const quiet = process.env['VITEST'] !== undefined && process.env['LOG_LEVEL'] === undefined;
  return pino({ name, level: quiet ? 'silent' : level, base: { service: name } });
}

export type { Logger };
