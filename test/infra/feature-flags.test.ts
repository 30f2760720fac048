import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureFlags } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../support/project-dir';
import { synthProcure } from './synth';

/**
 * The feature flags `cdk init` writes for the pinned aws-cdk-lib (its recommended-feature-flags.json),
 * adopted in cdk.json before the first deploy (changing most of them later replaces resources).
 */
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const recommended = readJson(join(PROJECT_DIR, 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'));
const context = readJson(join(PROJECT_DIR, 'cdk.json')).context as Record<string, unknown>;

describe('CDK feature flags', () => {
  const s = synthProcure();
  afterAll(() => s.dispose());

  it('cdk.json sets every flag aws-cdk-lib recommends, to the recommended value', () => {
    expect(Object.keys(recommended).length).toBeGreaterThan(80);
    const differing = Object.entries(recommended).filter(([flag, value]) => JSON.stringify(context[flag]) !== JSON.stringify(value));
    expect(differing).toEqual([]);
  });

  it('reach the tests’ in-process apps too (test/setup-cdk-context.ts), so they check the template that deploys', () => {
    expect(FeatureFlags.of(s.stack).isEnabled('@aws-cdk/aws-iam:minimizePolicies')).toBe(true);
    expect(FeatureFlags.of(s.stack).isEnabled('@aws-cdk/core:checkSecretUsage')).toBe(true);
  });
});
