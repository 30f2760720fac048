import { validateAndQuote, type ValidateAndQuoteDeps } from '../core/validate-and-quote';
import type { Quote, WorkflowState } from '../core/workflow';
import { interserverGateway } from '../composition/interserver';
import { purchaseJournal } from '../composition/stores';
import { approvalPolicyConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';

/** ValidateAndQuote: the state is the input, the quote the output (lambdas/core/validate-and-quote.ts). */
export function makeHandler(deps: ValidateAndQuoteDeps): (state: WorkflowState) => Promise<Quote> {
  return (state) => validateAndQuote(deps, state);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): ValidateAndQuoteDeps {
  return {
    ...purchaseJournal(),
    interserver: interserverGateway,
    policy: approvalPolicyConfig().policy,
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
