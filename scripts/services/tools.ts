// Finding the tools the native services are built with, and running them, with errors that name what is missing.

import { spawn, spawnSync } from 'node:child_process';
import { CdcError, ErrorCode } from '../../core/errors.ts';

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function requireCommand(command: string, purpose: string, hint: string): void {
  if (!hasCommand(command)) {
    throw new CdcError(
      ErrorCode.TOOL_MISSING,
      `${command} is needed ${purpose} but is not on PATH; ${hint}`,
      {
        facts: { tool: command },
      },
    );
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Runs a command to completion; on failure the error carries the tail of its output. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; what: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) =>
      reject(new CdcError(ErrorCode.SERVICE_START, `${options.what}: ${error.message}`, { cause: error })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else
        reject(
          new CdcError(
            ErrorCode.SERVICE_START,
            `${options.what} failed (exit ${code}): ${command} ${args.join(' ')}\n${output.slice(-4000)}`,
          ),
        );
    });
  });
}

/** apt-get install, once per process, for a package the machine lacks. */
let aptUpdated = false;
export async function aptInstall(packages: string[], purpose: string): Promise<void> {
  requireCommand('apt-get', purpose, `install ${packages.join(' ')} with your package manager`);
  if (!isRoot()) {
    throw new CdcError(
      ErrorCode.TOOL_MISSING,
      `${packages.join(' ')} is needed ${purpose}; run as root or install it: sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await run('apt-get', ['update', '-q'], { env, what: 'apt-get update' });
    aptUpdated = true;
  }
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
    env,
    what: `apt-get install ${packages.join(' ')}`,
  });
}
