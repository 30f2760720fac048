import { AwsServiceError } from './aws-error';
import type { StepEvent } from './execution-engine-events';

/**
 * GetExecutionHistory's answer built from the engine's steps (executions.ts `StepEvent`), in the
 * wire shapes Step Functions uses, so the AWS SDK's `GetExecutionHistoryCommand` reads it as it
 * reads AWS: `<Type>StateEntered` / `<Type>StateExited` with `stateEnteredEventDetails.name`,
 * `TaskFailed`, `Execution*` and `MapIteration*` events, ids counting from 1, timestamps in epoch
 * seconds. Inputs and outputs are not kept by the runtime, so no event carries them (as AWS with
 * `includeExecutionData: false`). A retried attempt shows as `TaskFailed`, as on AWS; the engine's
 * Parallel branch events have no AWS counterpart and are left out.
 */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** One step as the AWS event(s) it stands for; undefined when AWS has none. */
function awsEventOf(step: StepEvent): { type: string; [details: string]: unknown } | undefined {
  const name = step.state ?? '';
  const kind = step.stateType ?? 'Task';
  const failure = { ...(step.error !== undefined ? { error: step.error } : {}), ...(step.cause !== undefined ? { cause: step.cause } : {}) };
  switch (step.type) {
    case 'ExecutionStarted':
      return { type: 'ExecutionStarted', executionStartedEventDetails: {} };
    case 'ExecutionSucceeded':
      return { type: 'ExecutionSucceeded', executionSucceededEventDetails: {} };
    case 'ExecutionFailed':
      return { type: 'ExecutionFailed', executionFailedEventDetails: failure };
    case 'ExecutionTimeout':
      return { type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } };
    case 'ExecutionAborted':
      return { type: 'ExecutionAborted', executionAbortedEventDetails: {} };
    case 'StateEntered':
      return { type: `${kind}StateEntered`, stateEnteredEventDetails: { name } };
    case 'StateExited':
    case 'StateCaught':
      // A caught error leaves the state for the catcher's Next: AWS records it as an exit.
      return { type: `${kind}StateExited`, stateExitedEventDetails: { name } };
    case 'StateFailed':
    case 'StateRetried':
      return kind === 'Task' ? { type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', ...failure } } : undefined;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const key = `${step.type.charAt(0).toLowerCase()}${step.type.slice(1)}EventDetails`;
      return { type: step.type, [key]: { name, index: step.index ?? 0 } };
    }
    default:
      return undefined;
  }
}

/** Every step of an execution as AWS history events, oldest first. */
export function historyEvents(steps: readonly StepEvent[]): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (const step of steps) {
    const event = awsEventOf(step);
    if (!event) continue;
    const id = out.length + 1;
    out.push({ ...event, type: event.type, id, previousEventId: id - 1, timestamp: step.timestamp / 1000 });
  }
  return out;
}

const MAX_RESULTS = 1000;
const DEFAULT_RESULTS = 100;

/** One page of the history, with GetExecutionHistory's maxResults / nextToken / reverseOrder. */
export function historyPage(
  events: readonly HistoryEvent[],
  request: { maxResults?: unknown; nextToken?: unknown; reverseOrder?: unknown },
): { events: HistoryEvent[]; nextToken?: string } {
  const max = request.maxResults === undefined || request.maxResults === 0 ? DEFAULT_RESULTS : request.maxResults;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > MAX_RESULTS) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RESULTS}`,
    );
  }
  let offset = 0;
  if (request.nextToken !== undefined) {
    const decoded = typeof request.nextToken === 'string' ? /^h(\d{1,9})$/.exec(Buffer.from(request.nextToken, 'base64url').toString('utf8')) : null;
    if (!decoded) throw new AwsServiceError('InvalidToken', "Invalid Token: 'the nextToken is not one this endpoint gave out'");
    offset = Number(decoded[1]);
  }
  const ordered = request.reverseOrder === true ? [...events].reverse() : [...events];
  const page = ordered.slice(offset, offset + max);
  const next = offset + max < ordered.length ? Buffer.from(`h${offset + max}`, 'utf8').toString('base64url') : undefined;
  return { events: page, ...(next ? { nextToken: next } : {}) };
}
