// Structured JSON logs (pino) with the same field names everywhere, secrets masked; quiet under the test runner.
// The last warnings and errors of the process are kept (masked too) for the dashboard's list of problems.

import { pino, type Logger } from 'pino';
import { redact } from './redact.ts';

/** How many of the process's last warnings and errors are kept. */
const KEPT_PROBLEMS = 20;
const problems: string[] = [];

/** Keeps a written line when it is a warning (40), an error (50) or fatal (60): pino writes the level first. */
function keepProblem(line: string): void {
  if (!/^\{"level":[456]\d,/.test(line)) return;
  problems.push(line);
  if (problems.length > KEPT_PROBLEMS) problems.shift();
}

export interface LoggedProblem {
  time: number;
  level: 'warn' | 'error' | 'fatal';
  service: string;
  msg: string;
  /** The error's message, when the line carries one. */
  error?: string;
}

/** The process's last warnings and errors, newest last, as they were logged (secrets already masked). */
export function recentProblems(): LoggedProblem[] {
  return problems.map((line) => {
    const entry = JSON.parse(line) as {
      level: number;
      time: number;
      service?: string;
      msg?: string;
      err?: { message?: string };
    };
    const level = entry.level >= 60 ? 'fatal' : entry.level >= 50 ? 'error' : 'warn';
    const problem: LoggedProblem = {
      time: entry.time,
      level,
      service: entry.service ?? '',
      msg: entry.msg ?? '',
    };
    if (entry.err?.message !== undefined) problem.error = entry.err.message;
    return problem;
  });
}

export function createLogger(name: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  const quiet = process.env['VITEST'] !== undefined && process.env['LOG_LEVEL'] === undefined;
  // Every line passes through redact: a library's error may carry a connection string with its password.
  return pino({
    name,
    level: quiet ? 'silent' : level,
    base: { service: name },
    hooks: {
      streamWrite: (line) => {
        const masked = redact(line);
        keepProblem(masked);
        return masked;
      },
    },
  });
}

export type { Logger };
