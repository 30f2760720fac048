import { createHash } from 'node:crypto';
import { type CfnResource, type CfnTemplate, DEFAULT_RESOLVE_ENV, IntrinsicResolutionError, type ResolveEnv } from './cfn-template';

/**
 * The intrinsic resolver (see asl-from-template.ts for what it resolves and why) and the local names
 * it resolves `Ref` and `Fn::GetAtt` to. One module because they are mutually recursive: a `Ref`
 * resolves to a resource's local name, and that name may itself be an intrinsic to resolve. No
 * dependency beyond node:crypto, so the CDK tests can load it.
 */

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

/** `v` as a string (numbers and booleans converted), else an IntrinsicResolutionError naming `what`. */
export function asString(v: unknown, what: string): string {
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
    const value = resolveFunction(key, obj[key], template, env);
    if (value !== NOT_A_FUNCTION) return value;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = resolveNode(obj[k], template, env);
    if (v !== NO_VALUE) out[k] = v;
  }
  return out;
}

/** `{ key: arg }` is no intrinsic function (or a `Condition` key naming none): an ordinary object. */
const NOT_A_FUNCTION = Symbol('not an intrinsic function');

/** The value of the intrinsic function `key` applied to `arg`, or NOT_A_FUNCTION. */
function resolveFunction(key: string, arg: unknown, template: CfnTemplate, env: ResolveEnv): unknown {
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
    case 'Fn::FindInMap': {
      const [map, top, second] = asArray(arg, key).map((v) => asString(resolveNode(v, template, env), 'Fn::FindInMap key'));
      const v = template.Mappings?.[map!]?.[top!]?.[second!];
      if (v === undefined) throw new IntrinsicResolutionError(`Fn::FindInMap ${map}/${top}/${second} not found`);
      return v;
    }
    case 'Fn::ImportValue':
      throw new IntrinsicResolutionError('Fn::ImportValue cannot be resolved offline (cross-stack reference)');
  }
  return resolveConditionFunction(key, arg, template, env);
}

/** The value of the condition function `key` (Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), or NOT_A_FUNCTION. */
function resolveConditionFunction(key: string, arg: unknown, template: CfnTemplate, env: ResolveEnv): unknown {
  switch (key) {
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
  }
  return NOT_A_FUNCTION;
}
