import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    setupFiles: ['test/setup-node20.ts', 'test/setup-cdk-context.ts'],
    // Synthesizes cdk.out once, before the workers start (the e2e files start the runtime on it).
    globalSetup: ['test/global-setup.ts'],
    // e2e files start a whole local runtime each; keep the two cores from thrashing.
    maxWorkers: 2,
  },
});
