// Two projects: unit tests need no services; integration and e2e tests get real ones from global setup.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    env: { TZ: 'UTC' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env: { TZ: 'UTC' } } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          env: { TZ: 'UTC' },
        },
      },
    ],
  },
});
