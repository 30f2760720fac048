import { App } from 'aws-cdk-lib';
import { BUNDLE_CONDITIONS_CONTEXT } from '../lib/constructs/workflow-function';
import { procureApp } from '../lib/procure-app';

/** CDK app entry: procure's app (lib/procure-app.ts), as deployed. */
const app = new App();
// Build conditions are for test builds (a fixture vendor's registry), never for a deployment:
// bundles built with one would disagree with the state machine this process builds.
if (app.node.tryGetContext(BUNDLE_CONDITIONS_CONTEXT) !== undefined) {
  throw new Error(`context ${BUNDLE_CONDITIONS_CONTEXT} is for test builds only; procure's own app refuses it`);
}
procureApp(app, 'Procure');
