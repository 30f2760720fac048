import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FUNCTIONS } from '../../lambdas/core/functions';
import type { FunctionId } from '../../lambdas/core/workflow';
import { acknowledgeServiceEncryptedLogs } from './log-encryption';
import { LOG_RETENTION } from './log-retention';

/** Repository root: the bundler's project root and where package-lock.json lives. */
const REPO_ROOT = join(__dirname, '..', '..');

/** The script that trims each bundle's source map after esbuild (run with the node running the CDK app). */
const SOURCE_MAP_TRIM = join(__dirname, 'source-map-trim.cjs');

/** `word` quoted for the shell the bundling hooks run in: a POSIX shell, or cmd on Windows (which takes no single quotes). */
function shellWord(word: string): string {
  return process.platform === 'win32' ? `"${word}"` : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The Lambda runtime every procure function uses, and the matching esbuild target. Node.js 24
 * runs only async handlers (no callbacks), which every procure handler is.
 */
const WORKFLOW_RUNTIME = Runtime.NODEJS_24_X;
const BUNDLE_TARGET = 'node24';

/**
 * How every procure function is bundled. Exported so `npm run bench -- bundles` builds its
 * baselines with the same esbuild settings.
 */
export const WORKFLOW_BUNDLING = {
  format: OutputFormat.CJS,
  target: BUNDLE_TARGET,
  // No keepNames (it costs every bundle load time): procure's code reads no class or function
  // name at run time (the bundled libraries compare only built-ins' names). Error classes carry
  // their names as literals (lambdas/core/errors.ts), which Step Functions Retry / Catch,
  // RecordOutcome and the API's error bodies match; test/infra/bundle-error-names.test.ts checks
  // each Retry / Catch name is set in the bundles.
  minify: true,
  sourceMap: true,
  // Stack traces need only the mappings; leaving the sources out keeps assets small.
  sourcesContent: false,
  // Then the map keeps only procure's own mappings (source-map-trim.cjs says why and what it saved).
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      `${shellWord(process.execPath)} ${shellWord(SOURCE_MAP_TRIM)} ${shellWord(join(outputDir, 'index.js.map'))}`,
    ],
  },
  // The AWS SDK is bundled, not taken from the Lambda runtime: the version the tests ran is the one
  // deployed (package-lock.json pins it), and its ES module builds tree-shake to what each function
  // calls. Measured here: AddToCart's module load 0.66x that of the same bundle requiring the
  // runtime's SDK from node_modules (12 paired runs, medians 168 against 253 ms on a loaded
  // 2-core machine), for 0.36 MB more bundle.
  // Except the SDK's optional native SigV4a signer, which it requires inside a try and only for
  // multi-region access points: procure signs no SigV4a request, and the package is not installed.
  externalModules: ['@aws-sdk/signature-v4-crt'],
  mainFields: ['module', 'main'],
  forceDockerBundling: false,
} as const satisfies BundlingOptions;

/**
 * CDK context key: build conditions every bundle resolves package.json "imports" with, besides
 * esbuild's own. Unset in every real deployment; a test build sets `procure-fixture-vendor` to
 * bundle the registry's lists with its fixture vendor (package.json `#vendors/*`).
 */
export const BUNDLE_CONDITIONS_CONTEXT = 'procureBundleConditions';

/** How `scope`'s functions are bundled: {@link WORKFLOW_BUNDLING}, with the context's build conditions if any. */
function bundlingIn(scope: Construct): BundlingOptions {
  const conditions = scope.node.tryGetContext(BUNDLE_CONDITIONS_CONTEXT);
  if (typeof conditions !== 'string' || conditions === '') return WORKFLOW_BUNDLING;
  // Custom conditions replace esbuild's default `module` one; it is kept.
  return { ...WORKFLOW_BUNDLING, esbuildArgs: { '--conditions': `${conditions},module` } };
}

/** Service name the logger (lambdas/shared/logger.ts) puts on every log line; the variable is the one Powertools reads. */
const POWERTOOLS_SERVICE_NAME = 'procure';

export interface WorkflowFunctionProps {
  /**
   * Function timeout. Vendor-calling functions pass 60 s.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB (also buys CPU: the SOAP client's cold start is CPU-bound).
   * @default 256
   */
  readonly memorySize?: number;
}

/**
 * One procure Lambda function: `lambdas/<FUNCTIONS[id]>` bundled with the local esbuild
 * (never Docker) to a minified CommonJS `index.js` with a source map, Node.js 24 on ARM64.
 *
 * The function is created directly in `scope` with construct id `id` (a {@link FunctionId}), so its
 * logical id starts with that id: the local runtime maps logical ids back to FUNCTIONS by it.
 * Its role is its own and starts empty (no AWSLambdaBasicExecutionRole, whose logs grant is on
 * `*`): it may write only to its own log group; the stack adds exactly the data grants it needs.
 */
export function createWorkflowFunction(scope: Construct, id: FunctionId, props: WorkflowFunctionProps = {}): NodejsFunction {
  const entryFile = FUNCTIONS[id];
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: LOG_RETENTION.functionLogs,
    // Logs of purchases are evidence next to the audit table; keep them when the stack goes.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeServiceEncryptedLogs(logGroup);
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `procure ${id} function`,
  });
  logGroup.grantWrite(role);

  const fn = new NodejsFunction(scope, id, {
    entry: join(REPO_ROOT, 'lambdas', entryFile),
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
    runtime: WORKFLOW_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout ?? Duration.seconds(10),
    role,
    logGroup,
    // Traced end to end with the API stage and the state machine: a purchase's trace shows each
    // function's time. Adds xray:PutTraceSegments / PutTelemetryRecords on `*` to the role (below).
    tracing: Tracing.ACTIVE,
    // The entry under lambdas/: `intake.ts` for procure's own handlers/, the path for a vendor's.
    description: `procure ${entryFile.replace(/^handlers\//, '')}`,
    // The stack adds each function's own variables (names from lambdas/shared/env-names.ts).
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME,
    },
    bundling: bundlingIn(scope),
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; AWS documents `*` for them. They are the only `*` in this role (test/infra/iam.test.ts).',
  });
  Validations.of(fn).acknowledge({
    id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
    reason:
      "No VPC on purpose: the functions reach only public endpoints (the vendors' HTTPS APIs, DynamoDB, Secrets Manager, SES, Step Functions, EventBridge), so a VPC would add NAT gateways (cost, one more thing to fail) and protect nothing private.",
  });
  return fn;
}

/**
 * Serverless-LambdaDLQ does not apply to a function only ever invoked synchronously (by
 * `invoker`): a DeadLetterConfig receives failed asynchronous invocations, and its errors go
 * back to the caller instead.
 */
export function acknowledgeSynchronousOnly(fn: IFunction, invoker: string): void {
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: `Invoked synchronously only, by ${invoker}, which receives every error (a dead-letter target receives failed asynchronous invocations only).`,
  });
}
