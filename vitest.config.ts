// Unit and Node-side tests. Browser tests (e2e/*.spec.ts) belong to Playwright, not here.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['workers/**/*.test.ts', 'src/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
