// A Docker engine of cdclake's own, for machines where none answers: Debian's docker.io, a dockerd whose
// data, socket and logs live under CDCLAKE_HOME/docker (so it never touches a system engine), and the
// Debian base image the project's Dockerfiles start from, made with debootstrap from the Debian mirror apt
// uses and imported as `debian:bookworm`. No registry is needed: every other image is built on it.

import fs from 'node:fs';
import path from 'node:path';
import type { Home } from './home.ts';
import { runningPid, startDetached, stopPid, waitFor } from './processes.ts';
import { aptInstall, hasCommand, run } from './tools.ts';

/** The name the project's local Dockerfiles start from; the official image of the same name elsewhere. */
export const BASE_IMAGE = 'debian:bookworm';
const DEBIAN_SUITE = 'bookworm';

export interface DockerEngine {
  /** DOCKER_HOST for clients of this engine. */
  host: string;
  env: NodeJS.ProcessEnv;
}

function paths(home: Home) {
  const root = home.dir('docker');
  return {
    root,
    socket: path.join(root, 'docker.sock'),
    data: path.join(root, 'data'),
    exec: path.join(root, 'exec'),
    pidFile: path.join(root, 'dockerd.pid'),
    daemonPidFile: path.join(root, 'dockerd.daemon.pid'),
    log: path.join(root, 'dockerd.log'),
    baseTar: path.join(root, `debian-${DEBIAN_SUITE}-minbase.tar`),
  };
}

export function dockerEngine(home: Home): DockerEngine {
  const host = `unix://${paths(home).socket}`;
  return { host, env: { ...process.env, DOCKER_HOST: host } };
}

/** True when this engine's daemon runs. */
export function dockerRunning(home: Home): boolean {
  return runningPid(paths(home).pidFile) !== undefined;
}

/** The Debian mirror apt on this machine uses, so the base image comes from the same place. */
export function debianMirror(): string {
  const candidates = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const file of candidates) {
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822?.[1] !== undefined) return deb822[1];
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (line?.[1] !== undefined) return line[1];
  }
  return 'http://deb.debian.org/debian';
}

async function installTools(): Promise<void> {
  const missing = [
    ['dockerd', 'docker.io'],
    ['debootstrap', 'debootstrap'],
    ['docker-compose', 'docker-compose'],
  ].filter(([command]) => !hasCommand(command as string));
  if (missing.length > 0)
    await aptInstall(
      missing.map(([, pkg]) => pkg as string),
      'for the Docker engine of `npm run services -- docker up`',
    );
}

/** Starts the engine (installing it first when missing) and makes sure the base image is there. */
export async function dockerUp(home: Home, say: (line: string) => void): Promise<DockerEngine> {
  const p = paths(home);
  const engine = dockerEngine(home);
  await installTools();
  if (!dockerRunning(home)) {
    fs.mkdirSync(p.data, { recursive: true });
    fs.mkdirSync(p.exec, { recursive: true });
    fs.rmSync(p.socket, { force: true });
    startDetached(
      'dockerd',
      [
        '--data-root',
        p.data,
        '--exec-root',
        p.exec,
        '--pidfile',
        p.daemonPidFile,
        '--host',
        engine.host,
        '--storage-driver',
        'overlay2',
      ],
      { logFile: p.log, pidFile: p.pidFile },
    );
  }
  await waitFor(
    `dockerd (log: ${p.log})`,
    async () => {
      await run('docker', ['version', '--format', '{{.Server.Version}}'], {
        env: engine.env,
        what: 'docker version',
      });
      return true;
    },
    60_000,
  );
  if (!(await imageExists(engine, BASE_IMAGE))) {
    const started = Date.now();
    await buildBaseImage(home, engine);
    say(
      `base image ${BASE_IMAGE} (debootstrap from ${debianMirror()}): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return engine;
}

export async function imageExists(engine: DockerEngine, image: string): Promise<boolean> {
  try {
    await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
      env: engine.env,
      what: `docker image inspect ${image}`,
    });
    return true;
  } catch {
    return false;
  }
}

/** debootstrap --variant=minbase, kept as a tarball so a new engine imports it without a second download. */
async function buildBaseImage(home: Home, engine: DockerEngine): Promise<void> {
  const p = paths(home);
  if (!fs.existsSync(p.baseTar)) {
    const rootfs = path.join(p.root, 'rootfs');
    fs.rmSync(rootfs, { recursive: true, force: true });
    await run('debootstrap', ['--variant=minbase', DEBIAN_SUITE, rootfs, debianMirror()], {
      what: `debootstrap ${DEBIAN_SUITE}`,
    });
    const partial = `${p.baseTar}.partial`;
    await run('tar', ['-C', rootfs, '-cf', partial, '.'], { what: 'tar of the base image' });
    fs.renameSync(partial, p.baseTar);
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
  await run('docker', ['import', p.baseTar, BASE_IMAGE], {
    env: engine.env,
    what: `docker import ${BASE_IMAGE}`,
  });
}

/** Stops the engine: its containers with it (dockerd stops them on SIGTERM), nothing left running. */
export async function dockerDown(home: Home): Promise<void> {
  const p = paths(home);
  const pid = runningPid(p.pidFile);
  if (pid !== undefined) await stopPid(pid, 60_000);
  fs.rmSync(p.pidFile, { force: true });
  fs.rmSync(p.socket, { force: true });
}
