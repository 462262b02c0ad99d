// Where the native services keep everything they download, build and write: one git-ignored folder.
// Paths and the state file (ports and process ids of the running services) live here.

import fs from 'node:fs';
import path from 'node:path';

export interface ServiceState {
  kafka?: { port: number; controllerPort: number };
  minio?: { port: number; consolePort: number };
  postgres?: { port: number };
}

export class Home {
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  dir(...parts: string[]): string {
    const full = path.join(this.root, ...parts);
    fs.mkdirSync(full, { recursive: true });
    return full;
  }

  file(...parts: string[]): string {
    const full = path.join(this.root, ...parts);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    return full;
  }

  get statePath(): string {
    return this.file('services', 'state.json');
  }

  readState(): ServiceState {
    try {
      return JSON.parse(fs.readFileSync(this.statePath, 'utf8')) as ServiceState;
    } catch {
      return {};
    }
  }

  writeState(state: ServiceState): void {
    fs.writeFileSync(this.statePath, JSON.stringify(state, null, 2) + '\n');
  }
}
