import { resolveString } from './cfn-intrinsics';
import type { CfnTemplate, ResolveEnv } from './cfn-template';
import { LOCAL_CREDENTIALS, type RuntimeCredentials } from './local-credentials';
import type { LambdaSpec } from './lambda-functions';

/**
 * A function's environment as the local runtime gives it: the Lambda runtime's own variables, the
 * template's `Environment.Variables` with tokens resolved to local values (a table Ref becomes the
 * local table name, a secret Ref the local secret ARN, ...), the loopback endpoints through
 * `AWS_ENDPOINT_URL_<SERVICE>` with the runtime's per-run credentials, then the overrides. Nothing is inherited
 * from the host process except PATH.
 */
export interface AwsEndpoints {
  dynamodb: string;
  sfn: string;
  secretsManager: string;
  sesv2: string;
  eventbridge: string;
}

/**
 * The variable names the AWS SDK v3 (3.1162) reads per service: `AWS_ENDPOINT_URL_` + the client's
 * serviceId upper-cased with spaces as underscores (@smithy/core getEndpointUrlConfig).
 */
export const ENDPOINT_ENV_NAMES: Record<keyof AwsEndpoints, string> = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB', // serviceId "DynamoDB"
  sfn: 'AWS_ENDPOINT_URL_SFN', // "SFN"
  secretsManager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER', // "Secrets Manager"
  sesv2: 'AWS_ENDPOINT_URL_SESV2', // "SESv2"
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE', // "EventBridge"
};

/**
 * The session token every hosted function signs its AWS calls with (none of the CLI's or a test's
 * clients has one): how the loopback endpoint tells a running function's call from outside work.
 */
export const FUNCTION_SESSION_TOKEN = 'local-session-token';

export interface FunctionEnvContext {
  template: CfnTemplate;
  resolveEnv: ResolveEnv;
  endpoints: AwsEndpoints;
  /** Applied only to functions whose template environment has the variable (the profile's stand-in URLs, API base URL). */
  wiring: Record<string, string>;
  /** Wiring variable -> another variable: the first is also applied where the template defines only the second. */
  alongside?: Record<string, string>;
  /** Applied where the template defines the variable; a variable no function defines goes to every function. */
  configOverrides: Record<string, string>;
  /** Every variable name some function of the template defines. */
  definedAnywhere: Set<string>;
  /** The runtime's per-run credentials (the loopback services check them). @default LOCAL_CREDENTIALS */
  credentials?: RuntimeCredentials;
}

export function functionEnvironment(fn: LambdaSpec & { assetDir: string }, ctx: FunctionEnvContext): Record<string, string> {
  const { region } = ctx.resolveEnv;
  const credentials = ctx.credentials ?? LOCAL_CREDENTIALS;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: FUNCTION_SESSION_TOKEN,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    LAMBDA_TASK_ROOT: fn.assetDir,
    _HANDLER: fn.handler,
    // Keep the host's ~/.aws and instance metadata out of it.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const [key, name] of Object.entries(ENDPOINT_ENV_NAMES)) env[name] = ctx.endpoints[key as keyof AwsEndpoints];
  for (const [k, v] of Object.entries(fn.rawEnvironment)) {
    try {
      env[k] = resolveString(v, ctx.template, ctx.resolveEnv);
    } catch (err) {
      throw new Error(`function ${fn.constructId}: environment variable ${k}: ${(err as Error).message}`);
    }
  }
  for (const [k, v] of Object.entries(ctx.wiring)) {
    const companion = ctx.alongside?.[k];
    if (k in fn.rawEnvironment || (companion !== undefined && companion in fn.rawEnvironment)) env[k] = v;
  }
  for (const [k, v] of Object.entries(ctx.configOverrides)) {
    if (k in fn.rawEnvironment || !ctx.definedAnywhere.has(k)) env[k] = v;
  }
  return env;
}
