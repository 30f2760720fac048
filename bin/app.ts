import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ProcureStack } from '../lib/procure-stack';

/**
 * CDK app entry: the procure stack (configured from context, see lib/config.ts), checked by
 * cdk-nag's AWS Solutions and Serverless packs. cdk-nag 3 is a CDK policy-validation plugin (no longer an Aspect):
 * any unacknowledged finding fails `cdk synth`.
 */
const app = new App();
new ProcureStack(app, 'Procure');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new ServerlessChecks(app, { verbose: true }));
