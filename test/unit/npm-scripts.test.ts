// Every npm script that runs a file of the repository names one that exists (`npm run setup` once pointed
// at a script nobody had written).

import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

test('each npm script runs a file that exists', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const missing = Object.entries(scripts).flatMap(([name, command]) =>
    [...command.matchAll(/(?:^|\s)((?:scripts|cli|bench|bin)\/[\w./-]+\.(?:sh|ts|js))/g)]
      .map((m) => m[1] as string)
      .filter((file) => !fs.existsSync(path.join(root, file)))
      .map((file) => `${name}: ${file}`),
  );
  expect(Object.keys(scripts)).toContain('setup');
  expect(missing).toEqual([]);
});
