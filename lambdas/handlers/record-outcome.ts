import { recordOutcome, type RecordedOutcome, type RecordOutcomeDeps } from '../core/record-outcome';
import type { RecordOutcomePayload } from '../core/workflow';
import { RECORD_OUTCOME_RUNTIME, recordOutcomeDeps } from '../composition/record-outcome';
import { lazyHandler } from '../shared/lazy-handler';

export type { RecordOutcomeDeps } from '../core/record-outcome';

/** RecordCompleted / RecordNotCompleted: the outcome and state in, the end out (lambdas/core/record-outcome.ts). */
export function makeHandler(deps: RecordOutcomeDeps): (payload: RecordOutcomePayload) => Promise<RecordedOutcome> {
  const wired = { ...deps, ...RECORD_OUTCOME_RUNTIME };
  return (payload) => recordOutcome(wired, payload);
}

/** Production wiring, once per cold start (shared with the reconciler). */
export function defaultDeps(): RecordOutcomeDeps {
  return recordOutcomeDeps();
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
