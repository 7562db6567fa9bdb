// Unit and Node-side tests. Browser tests (e2e/*.spec.ts) belong to Playwright, not here.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['workers/**/*.test.ts', 'src/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // one worker per core: vitest's default leaves one core idle (cores - 1: a single worker on the 2-core
    // CI machine), while most files here are one JS thread of kernel arithmetic. No vitest test times
    // anything against a tight bound (memory.test: a 50 ms timer; the fuzz test: 5 s per case, 0.3 s used).
    maxWorkers: availableParallelism(),
    // caches more than one file reads are built before the workers start (see the file)
    globalSetup: ['tests/global-setup.ts'],
  },
});
