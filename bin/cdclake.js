#!/usr/bin/env node
// The `cdclake` command. The TypeScript sources run as JavaScript that esbuild bundles from them into
// dist/<hash of the sources>/ the first time they run as they are, so there is no build step to remember, and
// an edited source is rebuilt on the next start (about a quarter second). A bundle starts in half the time of
// running the sources through tsx and uses about 45 MB less memory (no loader thread). Where the bundle
// cannot be written (a read-only checkout), the sources run through tsx.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The AWS SDK warns on every start that its releases after January 2027 need Node 22; cdclake runs on 20,
// 22 and 24, and a user did not ask for that line in each command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// V8 lets a heap grow up to fourfold before it collects when the machine has memory to spare; cdclake's
// processes keep their data outside the heap (in DuckDB, Kafka and S3), and what their heap holds is mostly
// garbage of records gone by. A growth factor of 1.35 keeps the consumer's peak RSS near 300 MB instead of
// 500 MB, for about a tenth more CPU in the garbage collector. CDCLAKE_HEAP_GROWING_PERCENT sets another
// (0: V8's own); so does `node --heap-growing-percent=N`.
const growing = process.env.CDCLAKE_HEAP_GROWING_PERCENT ?? '35';
if (!/^\d+$/.test(growing)) {
  process.stderr.write(
    `cdclake: CDCLAKE_HEAP_GROWING_PERCENT=${JSON.stringify(growing)}: expected a whole number [CDC_CONFIG_INVALID]\n`,
  );
  process.exit(1);
}
if (growing !== '0' && !process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent')))
  v8.setFlagsFromString(`--heap-growing-percent=${growing}`);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['cli', 'consumer', 'core', 'merge', 'producer'];

/** A hash of every source file's path, size and modification time: a few milliseconds for the whole tree. */
function sourcesHash() {
  const hash = crypto.createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts')) {
        const stat = fs.statSync(file);
        hash.update(`${path.relative(root, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(root, dir));
  return hash.digest('hex').slice(0, 16);
}

/** The bundle's entry point, built now when the sources changed since the last build; undefined if it cannot be. */
async function bundled() {
  const dist = path.join(root, 'dist');
  const target = path.join(dist, sourcesHash());
  const entry = path.join(target, 'main.js');
  if (fs.existsSync(entry)) return entry;
  let esbuild;
  try {
    esbuild = await import('esbuild');
    fs.mkdirSync(dist, { recursive: true });
  } catch {
    return undefined;
  }
  // Built aside and renamed into place: processes starting together each build, and one rename wins whole.
  const building = fs.mkdtempSync(path.join(dist, 'building-'));
  try {
    await esbuild.build({
      entryPoints: [path.join(root, 'cli', 'main.ts')],
      outdir: building,
      bundle: true,
      // Each command's modules stay in their own chunk, loaded when the command runs (cli/main.ts).
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'silent',
    });
    try {
      fs.renameSync(building, target);
    } catch (error) {
      if (!fs.existsSync(entry)) throw error;
    }
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
  // Bundles of earlier sources go after a day; a process started from one has loaded its chunks long before.
  for (const old of fs.readdirSync(dist)) {
    const dir = path.join(dist, old);
    if (dir !== target && Date.now() - fs.statSync(dir).mtimeMs > 86_400_000)
      fs.rmSync(dir, { recursive: true, force: true });
  }
  return entry;
}

let entry;
try {
  entry = await bundled();
} catch (error) {
  process.stderr.write(`cdclake: running the sources through tsx; the bundle could not be built: ${error}\n`);
}
if (entry === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
} else {
  await import(pathToFileURL(entry).href);
}
