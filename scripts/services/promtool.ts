// promtool, Prometheus' own checker, for the tests of monitoring/prometheus (its rules checked and unit-tested
// with `promtool test rules`, its configuration checked). Prometheus ships no binary to a machine that reaches
// only package registries, so it is built from the Go module proxy: the module and every dependency pinned by
// scripts/services/promtool/go.mod and go.sum, the binary cached under CDCLAKE_HOME.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Home } from './home.ts';
import { requireCommand, run } from './tools.ts';

const MODULE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'promtool');

export function promtoolPath(home: Home): string {
  return path.join(home.root, 'prometheus', 'bin', 'promtool');
}

/** Builds promtool unless the binary there was built from the same go.sum. True when it built. */
export async function installPromtool(home: Home): Promise<boolean> {
  const binary = promtoolPath(home);
  const marker = `${binary}.go-sum`;
  const pinned = crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(MODULE_DIR, 'go.mod')))
    .update(fs.readFileSync(path.join(MODULE_DIR, 'go.sum')))
    .digest('hex');
  if (fs.existsSync(binary) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === pinned)
    return false;
  requireCommand(
    'go',
    'to build promtool (Prometheus ships source only here)',
    'install Go 1.24+ (https://go.dev/dl)',
  );
  home.dir('prometheus', 'bin');
  await run('go', ['build', '-o', binary, 'github.com/prometheus/prometheus/cmd/promtool'], {
    cwd: MODULE_DIR,
    env: {
      ...process.env,
      GOMODCACHE: home.dir('go', 'mod'),
      GOCACHE: home.dir('go', 'build'),
      // go.mod and go.sum as they are: nothing resolved anew, nothing written beside them.
      GOFLAGS: '-modcacherw -buildvcs=false -mod=readonly',
      CGO_ENABLED: '0',
    },
    what: 'building promtool (Prometheus v3.5.0)',
  });
  fs.writeFileSync(marker, pinned + '\n');
  return true;
}
