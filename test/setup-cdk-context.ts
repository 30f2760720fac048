// The tests' in-process CDK apps get cdk.json's context (the feature flags) the way `cdk synth`
// hands it to bin/app.ts: through CDK_CONTEXT_JSON, which every `new App()` reads. So the
// infrastructure tests check the template that deploys, not one built with the flags' old defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const { context } = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
process.env.CDK_CONTEXT_JSON ??= JSON.stringify(context);
