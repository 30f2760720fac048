import type { InvocationClock } from '../core/locks';
import { preparePurchase, type PreparedState, type PreparePurchaseDeps } from '../core/prepare-purchase';
import type { WorkflowState } from '../core/workflow';
import { purchaseJournal, spendGuard } from '../composition/stores';
import { vendorPreparations } from '#vendors/preparations';
import { vendorQuoters } from '#vendors/quoters';
import { approvalPolicyConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';

/** PreparePurchase: the state is the input, the state with its quote, reservation and cart the output (lambdas/core/prepare-purchase.ts). */
export function makeHandler(deps: PreparePurchaseDeps): (state: WorkflowState, context?: InvocationClock) => Promise<PreparedState> {
  return (state, context) => preparePurchase(deps, state, context);
}

/** Production wiring, once per cold start. The vendor gateways are built on first use: a CoCalc quote calls no vendor, an InterServer purchase never CoCalc. */
export function defaultDeps(): PreparePurchaseDeps {
  const journal = purchaseJournal();
  return {
    quoting: { ...journal, quoters: vendorQuoters(), policy: approvalPolicyConfig().policy },
    budget: { ...journal, spendGuard: spendGuard() },
    preparations: vendorPreparations(),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
