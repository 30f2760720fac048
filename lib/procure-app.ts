import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ProcureStack } from './procure-stack';

/**
 * procure's CDK app: the procure stack (configured from context, see lib/config.ts), checked by
 * cdk-nag's AWS Solutions and Serverless packs. cdk-nag 3 is a CDK policy-validation plugin (no
 * longer an Aspect): any unacknowledged finding fails `cdk synth`. bin/app.ts is this app, and so
 * is the test app that registers a fixture vendor (test/fixtures/vendors/).
 */
export function procureApp(app: App, stackName: string): ProcureStack {
  const stack = new ProcureStack(app, stackName);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new ServerlessChecks(app, { verbose: true }));
  return stack;
}
