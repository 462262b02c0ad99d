// One error type: production code throws CdcError with a code from the registry, so logs, dead letters and
// the CLI always name the kind of failure; usage errors of the command line included.

import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { parseFormat } from '../../cli/format.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

test('production code throws no plain Error', () => {
  const plain = ['cli', 'consumer', 'core', 'merge', 'producer'].flatMap((dir) =>
    sources(dir).flatMap((file) =>
      fs
        .readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /\bnew (Error|TypeError|RangeError)\(/.test(line) ? [`${file}:${i + 1}`] : [],
        ),
    ),
  );
  expect(plain).toEqual([]);
});

test('every code is a distinct CDC_ name', () => {
  const codes = Object.values(ErrorCode);
  expect(new Set(codes).size).toBe(codes.length);
  for (const code of codes) expect(code).toMatch(/^CDC_[A-Z0-9_]+$/);
});

test('a command line cdclake does not understand is a usage error', () => {
  let caught: unknown;
  try {
    parseFormat('xml');
  } catch (error: unknown) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CdcError);
  expect((caught as CdcError).code).toBe(ErrorCode.USAGE);
});
