import { defineConfig } from 'vitest/config';

/**
 * Only the fixture's condition: with Vite's defaults added (`module` among them), the AWS SDK's
 * ES builds are picked for Node, which cannot load them (measured: a missing-module error).
 */
const FIXTURE_CONDITIONS = ['procure-fixture-vendor'];

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    setupFiles: ['test/setup-node20.ts', 'test/setup-cdk-context.ts'],
    // e2e files start a whole local runtime each; keep the two cores from thrashing.
    maxWorkers: 2,
    projects: [
      // Its global setup synthesizes cdk.out once, before the workers start (the e2e files start the
      // runtime on it); the fixture-vendor project has its own assembly and its own setup.
      {
        extends: true,
        test: { name: 'procure', include: ['test/**/*.test.ts'], exclude: ['test/fixture-vendor/**', 'node_modules/**'], globalSetup: ['test/global-setup.ts'] },
      },
      // procure with the fixture vendor registered (issue #10): package.json "imports" read under the
      // procure-fixture-vendor condition, as its synthesized app and bundles are.
      {
        extends: true,
        resolve: { conditions: FIXTURE_CONDITIONS },
        ssr: { resolve: { conditions: FIXTURE_CONDITIONS } },
        test: { name: 'fixture-vendor', include: ['test/fixture-vendor/**/*.test.ts'], globalSetup: ['test/fixture-vendor/global-setup.ts'] },
      },
    ],
  },
});
