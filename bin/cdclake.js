#!/usr/bin/env node
// The `cdclake` command: runs the TypeScript source through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start that its releases after January 2027 need Node 22; cdclake runs on 20,
// 22 and 24, and a user did not ask for that line in each command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
