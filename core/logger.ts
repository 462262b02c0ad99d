// Structured JSON logs (pino) with the same field names everywhere, secrets masked; quiet under the test runner.

import { pino, type Logger } from 'pino';
import { redact } from './redact.ts';

export function createLogger(name: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  const quiet = process.env['VITEST'] !== undefined && process.env['LOG_LEVEL'] === undefined;
  // Every line passes through redact: a library's error may carry a connection string with its password.
  return pino({
    name,
    level: quiet ? 'silent' : level,
    base: { service: name },
    hooks: { streamWrite: redact },
  });
}

export type { Logger };
