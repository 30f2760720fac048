import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BUNDLE_CONDITIONS_CONTEXT } from '../../lib/constructs/workflow-function';
import { PROJECT_DIR } from '../support/project-dir';

const run = promisify(execFile);

/**
 * Build conditions (package.json `#vendors/*`) are for test builds: procure's own app refuses the
 * context that would bundle another registry than the one its process builds the stack from.
 */
describe("procure's own app and build conditions", () => {
  it('refuses the bundle-conditions context before building anything', async () => {
    const env = { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ [BUNDLE_CONDITIONS_CONTEXT]: 'procure-fixture-vendor' }) };
    const failed = await run('npx', ['tsx', 'bin/app.ts'], { cwd: PROJECT_DIR, env }).then(
      () => undefined,
      (err: { stderr?: string }) => err,
    );
    expect(failed?.stderr).toContain(`context ${BUNDLE_CONDITIONS_CONTEXT} is for test builds only`);
  }, 60_000);
});
