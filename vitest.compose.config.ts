// `npm run test:compose`: the docker-compose stack on this machine's Docker engine (scripts/test-compose.sh
// starts the engine and builds the images first). Outside `npm test`: it builds and runs containers.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'compose',
    include: ['test/compose/**/*.test.ts'],
    env: { TZ: 'UTC' },
    testTimeout: 1_200_000,
    hookTimeout: 300_000,
  },
});
