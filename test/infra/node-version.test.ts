import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_BUNDLING } from '../../lib/constructs/workflow-function';
import { PROJECT_DIR } from '../support/project-dir';

/**
 * `npm start` and `npm test` run on the functions' Node major whatever Node runs npm: the `node`
 * devDependency puts its binary in node_modules/.bin, first on npm scripts' (and npx's) PATH.
 */
const major = (version: string): number => Number(/(\d+)/.exec(version)![1]);

describe('Node.js version', () => {
  const functionsMajor = major(WORKFLOW_BUNDLING.target);

  it('the tests run on the Node major the functions are bundled for (nodejs24.x)', () => {
    expect(functionsMajor).toBe(24);
    expect(major(process.versions.node)).toBe(functionsMajor);
  });

  it('package.json pins the node package to that major', () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies.node).toMatch(/^\d+\.\d+\.\d+$/);
    expect(major(pkg.devDependencies.node!)).toBe(functionsMajor);
  });
});
