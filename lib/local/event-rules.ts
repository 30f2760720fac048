import { defaultRef, resolveIntrinsics } from './cfn-intrinsics';
import type { CfnTemplate, ResolveEnv } from './cfn-template';
import { validatePattern, type EventPattern } from './event-pattern';
import type { FunctionDirectory } from './lambda-functions';

/**
 * The template's EventBridge rules as the local bus runs them (event-bus.ts): each
 * `AWS::Events::Rule` with an EventPattern, its Lambda and state machine targets (with their
 * Input / InputPath / InputTransformer and DeadLetterConfig), and each function's
 * `AWS::Lambda::EventInvokeConfig`. Read once at start-up, apart from the bus that delivers to them.
 */

/** A rule target the local bus delivers to: a Lambda function of the stack or one of its state machines. */
export interface RuleTarget {
  id: string;
  arn: string;
  kind: 'lambda' | 'state-machine';
  /** Function logical id or state machine ARN. */
  ref: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  /** The target's DeadLetterConfig queue ARN. */
  deadLetterArn?: string;
  /** A Lambda target's async invocation settings (the function's AWS::Lambda::EventInvokeConfig, else Lambda's defaults). */
  asyncInvoke?: AsyncInvokeConfig;
}

/** What AWS::Lambda::EventInvokeConfig sets for a function's asynchronous invocations. */
export interface AsyncInvokeConfig {
  /** Retries after a failed attempt (0-2). */
  maximumRetryAttempts: number;
  /** An event older than this is dead-lettered instead of (re)tried. */
  maximumEventAgeSeconds: number;
  /** DestinationConfig.OnFailure ARN. */
  onFailure?: string;
}

/** Lambda's defaults for asynchronous invocations. */
export const DEFAULT_ASYNC_INVOKE: AsyncInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 };

/** An `AWS::Events::Rule` with an EventPattern, as the local bus matches it. */
export interface LocalRule {
  logicalId: string;
  name: string;
  busName: string;
  pattern: EventPattern;
  enabled: boolean;
  targets: RuleTarget[];
}

/**
 * Rules with an EventPattern from the template; unsupported targets are reported as warnings, except
 * the stack's own SNS topics (operator notifications, AWS only), listed in `notEmulated`.
 */
export function rulesFromTemplate(
  template: CfnTemplate,
  env: ResolveEnv,
  functions: FunctionDirectory,
  stateMachineArns: Set<string>,
): { rules: LocalRule[]; warnings: string[]; notEmulated: string[] } {
  const rules: LocalRule[] = [];
  const warnings: string[] = [];
  const notEmulated: string[] = [];
  const asyncConfigs = asyncInvokeConfigsFromTemplate(template, env, functions);
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const props = resolveIntrinsics(resource.Properties ?? {}, template, env) as Record<string, unknown>;
    if (!props.EventPattern) {
      warnings.push(`rule ${logicalId} has no EventPattern (scheduled rules do not run locally)`);
      continue;
    }
    const pattern = (typeof props.EventPattern === 'string' ? JSON.parse(props.EventPattern) : props.EventPattern) as EventPattern;
    validatePattern(pattern, logicalId);
    const targets: RuleTarget[] = [];
    for (const t of (props.Targets as Array<Record<string, unknown>> | undefined) ?? []) {
      const arn = String(t.Arn);
      const common = {
        id: String(t.Id),
        arn,
        ...(typeof t.Input === 'string' ? { input: t.Input } : {}),
        ...(typeof t.InputPath === 'string' ? { inputPath: t.InputPath } : {}),
        ...(t.InputTransformer ? { inputTransformer: t.InputTransformer as RuleTarget['inputTransformer'] & object } : {}),
        ...(typeof (t.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn === 'string'
          ? { deadLetterArn: (t.DeadLetterConfig as { Arn: string }).Arn }
          : {}),
      };
      const fn = /:lambda:/.test(arn) ? functions.find(arn) : undefined;
      if (fn) targets.push({ ...common, kind: 'lambda', ref: fn.logicalId, asyncInvoke: asyncConfigs.get(fn.logicalId) ?? DEFAULT_ASYNC_INVOKE });
      else if (stateMachineArns.has(arn)) targets.push({ ...common, kind: 'state-machine', ref: arn });
      else if (isStackTopic(arn, template, env))
        notEmulated.push(`rule ${logicalId} target ${common.id}: SNS topic ${arn} (operator notifications reach people on AWS only)`);
      else warnings.push(`rule ${logicalId} target ${common.id} (${arn}) is not a Lambda function or state machine of this stack: not delivered locally`);
    }
    rules.push({
      logicalId,
      name: typeof props.Name === 'string' ? props.Name : logicalId,
      busName: busNameOf(typeof props.EventBusName === 'string' ? props.EventBusName : undefined),
      pattern,
      enabled: props.State === undefined || props.State === 'ENABLED',
      targets,
    });
  }
  return { rules, warnings, notEmulated };
}

/** Whether `arn` is the ARN of an `AWS::SNS::Topic` of this template (as resolved locally). */
function isStackTopic(arn: string, template: CfnTemplate, env: ResolveEnv): boolean {
  return Object.entries(template.Resources).some(([id, r]) => r.Type === 'AWS::SNS::Topic' && defaultRef(id, r, env, template) === arn);
}

/** Function logical id -> its AWS::Lambda::EventInvokeConfig (unqualified or $LATEST). */
function asyncInvokeConfigsFromTemplate(template: CfnTemplate, env: ResolveEnv, functions: FunctionDirectory): Map<string, AsyncInvokeConfig> {
  const out = new Map<string, AsyncInvokeConfig>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
    const props = resolveIntrinsics(resource.Properties ?? {}, template, env) as Record<string, unknown>;
    if (props.Qualifier !== undefined && props.Qualifier !== '$LATEST') continue;
    const fn = typeof props.FunctionName === 'string' ? functions.find(props.FunctionName) : undefined;
    if (!fn) continue;
    const onFailure = (props.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
    out.set(fn.logicalId, {
      maximumRetryAttempts: typeof props.MaximumRetryAttempts === 'number' ? props.MaximumRetryAttempts : DEFAULT_ASYNC_INVOKE.maximumRetryAttempts,
      maximumEventAgeSeconds: typeof props.MaximumEventAgeInSeconds === 'number' ? props.MaximumEventAgeInSeconds : DEFAULT_ASYNC_INVOKE.maximumEventAgeSeconds,
      ...(typeof onFailure === 'string' ? { onFailure } : {}),
    });
  }
  return out;
}

/** The bus name in an EventBusName (a name or an event bus ARN); none is the default bus. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const m = /:event-bus\/(.+)$/.exec(nameOrArn);
  return m?.[1] ?? nameOrArn;
}
