import type { AslDefinition } from './asl-from-template';
import type { FunctionDirectory, LambdaSpec } from './lambda-functions';

/**
 * Maps every Task state of a definition (Parallel branches and Map iterators included) to the
 * Lambda function of the same logical id. aws-local-stepfunctions calls real AWS Lambda for any
 * Task without a local handler, so a Task that cannot be mapped is a start-up error here, never a
 * silent call to AWS (local-aws-runtime.md §0.1, §1.4).
 */
export type TaskIntegration =
  /** `Resource` is the function ARN (LambdaInvoke with payloadResponseOnly): the result is the raw payload. */
  | 'lambda-arn'
  /** `arn:aws:states:::lambda:invoke`: the result is `{ StatusCode, ExecutedVersion, Payload, ... }`. */
  | 'lambda-invoke'
  /** `arn:aws:states:::lambda:invoke.waitForTaskToken`: the result is the SendTaskSuccess output. */
  | 'lambda-callback';

export interface TaskBinding {
  stateName: string;
  integration: TaskIntegration;
  fn: LambdaSpec;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

export class TaskMappingError extends Error {
  constructor(readonly problems: string[]) {
    super(`the state machine has Task states the local runtime cannot run:\n  - ${problems.join('\n  - ')}`);
    this.name = 'TaskMappingError';
  }
}

type StateDef = Record<string, unknown>;

/** Every state of the definition, nested machines included, as [name, definition]. */
export function allStates(def: { States: Record<string, StateDef> }): Array<[string, StateDef]> {
  const out: Array<[string, StateDef]> = [];
  for (const [name, state] of Object.entries(def.States)) {
    out.push([name, state]);
    for (const branch of (state.Branches as Array<{ States: Record<string, StateDef> }> | undefined) ?? []) out.push(...allStates(branch));
    const inner = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, StateDef> } | undefined;
    if (inner) out.push(...allStates(inner));
  }
  return out;
}

const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+(?::[^:]+)?$/;
const INVOKE = /^arn:[^:]+:states:::lambda:invoke$/;
const CALLBACK = /^arn:[^:]+:states:::lambda:invoke\.waitForTaskToken$/;

/** Binds every Task; throws {@link TaskMappingError} listing all Tasks that cannot be mapped. */
export function bindTasks(def: AslDefinition, functions: FunctionDirectory): TaskBinding[] {
  const bindings: TaskBinding[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [name, state] of allStates(def)) {
    if (seen.has(name)) problems.push(`state name '${name}' is used twice (Task handlers are keyed by state name)`);
    seen.add(name);
    if (state.QueryLanguage === 'JSONata') problems.push(`${name}: JSONata states are not supported by the local engine`);
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource ?? '');
    const params = (state.Parameters ?? {}) as Record<string, unknown>;
    let integration: TaskIntegration;
    let fnRef: string | undefined;
    if (LAMBDA_ARN.test(resource)) {
      integration = 'lambda-arn';
      fnRef = resource;
    } else if (INVOKE.test(resource) || CALLBACK.test(resource)) {
      integration = CALLBACK.test(resource) ? 'lambda-callback' : 'lambda-invoke';
      if (typeof params.FunctionName === 'string') fnRef = params.FunctionName;
      else {
        problems.push(`${name}: FunctionName must be a static ARN or name (found ${JSON.stringify(params['FunctionName.$'] ?? params.FunctionName)})`);
        continue;
      }
    } else {
      problems.push(
        `${name}: resource '${resource}' is not a Lambda integration (only Lambda ARNs, lambda:invoke and lambda:invoke.waitForTaskToken run locally)`,
      );
      continue;
    }
    const fn = functions.find(fnRef);
    if (!fn) {
      problems.push(`${name}: no Lambda function in the template matches '${fnRef}'`);
      continue;
    }
    if (!fn.assetDir) {
      problems.push(`${name}: function ${fn.logicalId} has no bundled asset in cdk.out (inline or container code cannot run locally)`);
      continue;
    }
    bindings.push({
      stateName: name,
      integration,
      fn,
      ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
      ...(typeof state.HeartbeatSeconds === 'number' ? { heartbeatSeconds: state.HeartbeatSeconds } : {}),
    });
  }
  if (problems.length) throw new TaskMappingError(problems);
  return bindings;
}

/** Largest timeout Node's setTimeout can hold (2^31-1 ms); longer values would fire at once. */
export const MAX_TIMER_SECONDS = 2_147_483;

/**
 * The definition the engine runs: the synthesized one, with Task timeouts made explicit. The engine
 * gives every Task without `TimeoutSeconds` a 60 s limit, which AWS does not have: such a Lambda Task
 * gets the function's own timeout plus a margin (the worker enforces the function timeout), a
 * callback Task without one gets the longest timer Node can hold. Timeouts beyond that are clamped.
 * `overrides` set a state's TimeoutSeconds (tests shorten the approval wait). The bindings come back
 * with `timeoutSeconds` set to the explicit value of their state (unchanged where a state only has
 * `TimeoutSecondsPath`).
 */
export function withExplicitTaskTimeouts(
  def: AslDefinition,
  bindings: TaskBinding[],
  overrides: Record<string, number> = {},
): { definition: AslDefinition; bindings: TaskBinding[] } {
  const copy = JSON.parse(JSON.stringify(def)) as AslDefinition;
  const byName = new Map(bindings.map((b) => [b.stateName, b]));
  const explicit = new Map<string, number>();
  for (const [name, state] of allStates(copy)) {
    if (state.Type !== 'Task') continue;
    const binding = byName.get(name);
    const override = overrides[name];
    if (override !== undefined) {
      state.TimeoutSeconds = Math.min(override, MAX_TIMER_SECONDS);
      delete state.TimeoutSecondsPath;
    } else if (typeof state.TimeoutSeconds === 'number') {
      state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS);
    } else if (state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = binding?.integration === 'lambda-callback' || !binding ? MAX_TIMER_SECONDS : binding.fn.timeoutSeconds + 5;
    }
    if (typeof state.TimeoutSeconds === 'number') explicit.set(name, state.TimeoutSeconds);
  }
  if (typeof copy.TimeoutSeconds === 'number') copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, MAX_TIMER_SECONDS);
  return {
    definition: copy,
    bindings: bindings.map((b) => {
      const t = explicit.get(b.stateName);
      return t === undefined ? b : { ...b, timeoutSeconds: t };
    }),
  };
}
