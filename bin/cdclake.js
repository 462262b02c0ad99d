#!/usr/bin/env node
// The `cdclake` command: runs the TypeScript source through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
