// `npm run test:chaos`: the full chaos run on services of its own, with the test suite's global setup.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    hookTimeout: 600_000,
    env: { TZ: 'UTC' },
  },
});
