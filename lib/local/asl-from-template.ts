import { createHash } from 'node:crypto';

/**
 * CloudFormation intrinsic resolver and ASL extraction for a synthesized CDK template.
 *
 * Resolves `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` (with
 * the template's Conditions), `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs` and the pseudo
 * parameters, to deterministic local names that KEEP THE LOGICAL ID: a Lambda ARN becomes
 * `arn:aws:lambda:<region>:<account>:function:<LogicalId>`, a table's `Ref` its logical id, and so
 * on (local-aws-runtime.md §6.3). No AWS call, no dependency beyond node:crypto, so the CDK tests
 * can import it to validate the ASL the local runtime will run.
 */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** Where the template is "deployed": pseudo parameters plus optional per-resource overrides. */
export interface ResolveEnv {
  partition: string;
  region: string;
  accountId: string;
  stackName: string;
  urlSuffix: string;
  /** Values for template Parameters (else their Default). */
  parameters?: Record<string, string>;
  /** Overrides `Ref` of a resource; return undefined for the default. */
  ref?: (logicalId: string, resource: CfnResource) => string | undefined;
  /** Overrides `Fn::GetAtt` of a resource; return undefined for the default. */
  getAtt?: (logicalId: string, attribute: string, resource: CfnResource) => string | undefined;
}

export const DEFAULT_RESOLVE_ENV: ResolveEnv = {
  partition: 'aws',
  region: 'us-east-1',
  accountId: '123456789012',
  stackName: 'Procure',
  urlSuffix: 'amazonaws.com',
};

/** Thrown for intrinsics that cannot be resolved offline (Fn::ImportValue, unknown references). */
export class IntrinsicResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntrinsicResolutionError';
  }
}

/** Marker for `Ref: AWS::NoValue`: the enclosing property or array element is dropped. */
const NO_VALUE = Symbol('AWS::NoValue');

function shortHash(text: string, length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
  const digest = createHash('sha256').update(text).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length];
  return out;
}

function prop(resource: CfnResource, name: string): string | undefined {
  const v = resource.Properties?.[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The physical name a resource gets locally: its explicit name property (resolved when it is an
 * intrinsic and the template is given), else its logical id.
 */
export function localPhysicalName(logicalId: string, resource: CfnResource, template?: CfnTemplate, env?: ResolveEnv): string {
  const byType: Record<string, string> = {
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::DynamoDB::GlobalTable': 'TableName',
    'AWS::StepFunctions::StateMachine': 'StateMachineName',
    'AWS::SecretsManager::Secret': 'Name',
    'AWS::Events::Rule': 'Name',
    'AWS::Events::EventBus': 'Name',
    'AWS::IAM::Role': 'RoleName',
    'AWS::SQS::Queue': 'QueueName',
    'AWS::SNS::Topic': 'TopicName',
    'AWS::S3::Bucket': 'BucketName',
    'AWS::Logs::LogGroup': 'LogGroupName',
  };
  const key = byType[resource.Type];
  if (!key) return logicalId;
  const raw = resource.Properties?.[key];
  if (typeof raw === 'string' && raw) return raw;
  if (raw !== undefined && template && env) {
    const v = resolveIntrinsics(raw, template, env);
    if (typeof v === 'string' && v) return v;
  }
  return logicalId;
}

/** Default `Ref` value of a resource, by type (what CloudFormation returns, with local names). */
export function defaultRef(logicalId: string, resource: CfnResource, env: ResolveEnv, template?: CfnTemplate): string {
  const { partition: p, region: r, accountId: a } = env;
  const name = localPhysicalName(logicalId, resource, template, env);
  switch (resource.Type) {
    case 'AWS::StepFunctions::StateMachine':
      return `arn:${p}:states:${r}:${a}:stateMachine:${name}`;
    case 'AWS::SecretsManager::Secret':
      return `arn:${p}:secretsmanager:${r}:${a}:secret:${name}-${shortHash(logicalId, 6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`;
    case 'AWS::SNS::Topic':
      return `arn:${p}:sns:${r}:${a}:${name}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${r}.${env.urlSuffix}/${a}/${name}`;
    case 'AWS::S3::Bucket':
      return name.toLowerCase();
    case 'AWS::ApiGateway::RestApi':
    case 'AWS::ApiGatewayV2::Api':
      return shortHash(logicalId, 10);
    case 'AWS::ApiGateway::Resource':
    case 'AWS::ApiGateway::Deployment':
      return shortHash(logicalId, 6);
    case 'AWS::ApiGateway::Stage':
      return prop(resource, 'StageName') ?? logicalId;
    default:
      return name;
  }
}

/** Default `Fn::GetAtt` value of a resource attribute, by type. */
export function defaultGetAtt(logicalId: string, attribute: string, resource: CfnResource, env: ResolveEnv, template?: CfnTemplate): string {
  const { partition: p, region: r, accountId: a } = env;
  const name = localPhysicalName(logicalId, resource, template, env);
  if (attribute === 'Arn') {
    switch (resource.Type) {
      case 'AWS::Lambda::Function':
        return `arn:${p}:lambda:${r}:${a}:function:${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::SNS::Topic':
        return defaultRef(logicalId, resource, env, template);
      case 'AWS::IAM::Role':
        return `arn:${p}:iam::${a}:role/${name}`;
      case 'AWS::Events::Rule':
        return `arn:${p}:events:${r}:${a}:rule/${name}`;
      case 'AWS::Events::EventBus':
        return `arn:${p}:events:${r}:${a}:event-bus/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:${p}:sqs:${r}:${a}:${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${p}:logs:${r}:${a}:log-group:${name}:*`;
      case 'AWS::S3::Bucket':
        return `arn:${p}:s3:::${name.toLowerCase()}`;
    }
  }
  if (attribute === 'Name' && resource.Type === 'AWS::StepFunctions::StateMachine') return name;
  if (attribute === 'RootResourceId') return shortHash(`${logicalId}/root`, 10);
  if (attribute === 'StreamArn') return `arn:${p}:dynamodb:${r}:${a}:table/${name}/stream/1970-01-01T00:00:00.000`;
  return `arn:${p}:placeholder:${r}:${a}:${logicalId}/${attribute}`;
}

function asArray(v: unknown, fn: string): unknown[] {
  if (!Array.isArray(v)) throw new IntrinsicResolutionError(`${fn} expects an array, got ${JSON.stringify(v)}`);
  return v;
}

function asString(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new IntrinsicResolutionError(`${what} must resolve to a string, got ${JSON.stringify(v)}`);
}

/** Resolves every intrinsic in `node` against `template`; returns plain JSON. */
export function resolveIntrinsics(node: unknown, template: CfnTemplate, env: ResolveEnv = DEFAULT_RESOLVE_ENV): unknown {
  const out = resolveNode(node, template, env);
  return out === NO_VALUE ? undefined : out;
}

/** Resolves `node` and requires a string result (e.g. an environment variable value). */
export function resolveString(node: unknown, template: CfnTemplate, env: ResolveEnv = DEFAULT_RESOLVE_ENV): string {
  return asString(resolveIntrinsics(node, template, env), `value ${JSON.stringify(node)}`);
}

function refValue(name: string, template: CfnTemplate, env: ResolveEnv): unknown {
  switch (name) {
    case 'AWS::Partition':
      return env.partition;
    case 'AWS::Region':
      return env.region;
    case 'AWS::AccountId':
      return env.accountId;
    case 'AWS::StackName':
      return env.stackName;
    case 'AWS::StackId':
      return `arn:${env.partition}:cloudformation:${env.region}:${env.accountId}:stack/${env.stackName}/00000000-0000-0000-0000-000000000000`;
    case 'AWS::URLSuffix':
      return env.urlSuffix;
    case 'AWS::NoValue':
      return NO_VALUE;
    case 'AWS::NotificationARNs':
      return [];
  }
  const param = template.Parameters?.[name];
  if (param) {
    const v = env.parameters?.[name] ?? param.Default;
    if (v === undefined) throw new IntrinsicResolutionError(`parameter ${name} has no value and no Default`);
    return v;
  }
  const resource = template.Resources[name];
  if (!resource) throw new IntrinsicResolutionError(`Ref to unknown resource or parameter '${name}'`);
  return env.ref?.(name, resource) ?? defaultRef(name, resource, env, template);
}

function getAttValue(logicalId: string, attribute: string, template: CfnTemplate, env: ResolveEnv): string {
  const resource = template.Resources[logicalId];
  if (!resource) throw new IntrinsicResolutionError(`Fn::GetAtt of unknown resource '${logicalId}'`);
  return env.getAtt?.(logicalId, attribute, resource) ?? defaultGetAtt(logicalId, attribute, resource, env, template);
}

function evalCondition(name: string, template: CfnTemplate, env: ResolveEnv): boolean {
  const cond = template.Conditions?.[name];
  if (cond === undefined) throw new IntrinsicResolutionError(`unknown condition '${name}'`);
  return Boolean(resolveNode(cond, template, env));
}

function subString(text: string, vars: Record<string, unknown>, template: CfnTemplate, env: ResolveEnv): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
    if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
    if (expr in vars) return asString(vars[expr], `Fn::Sub variable ${expr}`);
    const dot = expr.indexOf('.');
    if (dot > 0 && !expr.startsWith('AWS::')) return getAttValue(expr.slice(0, dot), expr.slice(dot + 1), template, env);
    const v = refValue(expr, template, env);
    if (v === NO_VALUE) throw new IntrinsicResolutionError(`Fn::Sub cannot use ${whole}`);
    return asString(v, `Fn::Sub ${whole}`);
  });
}

function resolveNode(node: unknown, template: CfnTemplate, env: ResolveEnv): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) {
    return node.map((n) => resolveNode(n, template, env)).filter((n) => n !== NO_VALUE);
  }
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const key = keys[0]!;
    const arg = obj[key];
    switch (key) {
      case 'Ref':
        return refValue(asString(arg, 'Ref'), template, env);
      case 'Fn::GetAtt': {
        const parts = typeof arg === 'string' ? arg.split('.') : asArray(arg, key).map((a) => resolveNode(a, template, env));
        const [id, ...rest] = parts;
        return getAttValue(asString(id, 'Fn::GetAtt logical id'), rest.map((x) => asString(x, 'Fn::GetAtt attribute')).join('.'), template, env);
      }
      case 'Fn::Join': {
        const [sep, list] = asArray(arg, key);
        const items = asArray(resolveNode(list, template, env), 'Fn::Join list');
        return items.map((i) => asString(i, 'Fn::Join item')).join(asString(sep, 'Fn::Join separator'));
      }
      case 'Fn::Sub': {
        if (typeof arg === 'string') return subString(arg, {}, template, env);
        const [text, vars] = asArray(arg, key);
        const resolvedVars = (resolveNode(vars ?? {}, template, env) ?? {}) as Record<string, unknown>;
        return subString(asString(text, 'Fn::Sub template'), resolvedVars, template, env);
      }
      case 'Fn::Select': {
        const [index, list] = asArray(arg, key);
        const items = asArray(resolveNode(list, template, env), 'Fn::Select list');
        const i = Number(resolveNode(index, template, env));
        if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new IntrinsicResolutionError(`Fn::Select index ${i} out of range`);
        return items[i];
      }
      case 'Fn::Split': {
        const [sep, text] = asArray(arg, key);
        return asString(resolveNode(text, template, env), 'Fn::Split source').split(asString(sep, 'Fn::Split separator'));
      }
      case 'Fn::Base64':
        return Buffer.from(asString(resolveNode(arg, template, env), 'Fn::Base64 input'), 'utf8').toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((s) => `${env.region}${s}`);
      case 'Fn::If': {
        const [cond, yes, no] = asArray(arg, key);
        return resolveNode(evalCondition(asString(cond, 'Fn::If condition'), template, env) ? yes : no, template, env);
      }
      case 'Fn::Equals': {
        const [x, y] = asArray(arg, key).map((v) => resolveNode(v, template, env));
        return JSON.stringify(x) === JSON.stringify(y);
      }
      case 'Fn::Not':
        return !resolveNode(asArray(arg, key)[0], template, env);
      case 'Fn::And':
        return asArray(arg, key).every((c) => resolveNode(c, template, env));
      case 'Fn::Or':
        return asArray(arg, key).some((c) => resolveNode(c, template, env));
      case 'Condition':
        if (typeof arg === 'string' && template.Conditions?.[arg] !== undefined) return evalCondition(arg, template, env);
        break;
      case 'Fn::FindInMap': {
        const [map, top, second] = asArray(arg, key).map((v) => asString(resolveNode(v, template, env), 'Fn::FindInMap key'));
        const v = template.Mappings?.[map!]?.[top!]?.[second!];
        if (v === undefined) throw new IntrinsicResolutionError(`Fn::FindInMap ${map}/${top}/${second} not found`);
        return v;
      }
      case 'Fn::ImportValue':
        throw new IntrinsicResolutionError('Fn::ImportValue cannot be resolved offline (cross-stack reference)');
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = resolveNode(obj[k], template, env);
    if (v !== NO_VALUE) out[k] = v;
  }
  return out;
}

/** A state machine resource found in a template. */
export interface TemplateStateMachine {
  logicalId: string;
  resource: CfnResource;
}

/**
 * The state machine to extract: by exact logical id, by logical-id prefix (the construct id), or
 * the only one in the template.
 */
export function findStateMachine(template: CfnTemplate, idOrPrefix?: string): TemplateStateMachine {
  const all = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  const match = idOrPrefix ? (all.find(([id]) => id === idOrPrefix) ?? all.find(([id]) => id.startsWith(idOrPrefix))) : all.length === 1 ? all[0] : undefined;
  if (!match) {
    const ids = all.map(([id]) => id).join(', ') || 'none';
    throw new Error(
      idOrPrefix ? `no state machine '${idOrPrefix}' in the template (found: ${ids})` : `expected exactly one state machine in the template (found: ${ids})`,
    );
  }
  return { logicalId: match[0], resource: match[1] };
}

/** ASL as a JSON object (loosely typed: the engine and the tests narrow it). */
export type AslDefinition = { StartAt: string; States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number; [k: string]: unknown };

/**
 * The resolved ASL of a state machine in `template` (DefinitionString or Definition, with
 * DefinitionSubstitutions applied). ARNs keep the logical ids (see the module comment).
 */
export function aslFromTemplate(template: CfnTemplate, options: { stateMachine?: string; env?: Partial<ResolveEnv> } = {}): AslDefinition {
  const env: ResolveEnv = { ...DEFAULT_RESOLVE_ENV, ...options.env };
  const { logicalId, resource } = findStateMachine(template, options.stateMachine);
  const props = resource.Properties ?? {};
  let text: string;
  if (props.DefinitionString !== undefined) {
    text = resolveString(props.DefinitionString, template, env);
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(resolveIntrinsics(props.Definition, template, env));
  } else {
    throw new Error(`state machine ${logicalId} has neither DefinitionString nor Definition (DefinitionS3Location is not supported locally)`);
  }
  const subs = props.DefinitionSubstitutions as Record<string, unknown> | undefined;
  if (subs) {
    const values = resolveIntrinsics(subs, template, env) as Record<string, unknown>;
    text = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => (key in values ? asString(values[key], `substitution ${key}`) : whole));
  }
  const asl = JSON.parse(text) as AslDefinition;
  if (asl.QueryLanguage === 'JSONata') {
    throw new Error(`state machine ${logicalId} uses JSONata, which the local engine does not run (keep the machine on JSONPath)`);
  }
  return asl;
}
