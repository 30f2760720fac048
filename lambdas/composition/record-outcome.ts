import type { ClosePurchase } from '../core/reconcile-deps';
import { recordOutcome, type RecordOutcomeDeps, type RecordOutcomeRuntime } from '../core/record-outcome';
import { attentionMailConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { redactText } from '../shared/redact';
import { eventPublisher } from './events';
import { mailer } from './mail';
import { noticeLedger, purchaseJournal, spendGuard } from './stores';
import { vendorLeftovers } from '#vendors/leftovers';

/**
 * Composition root (README.md): RecordOutcome's wiring, shared by its own function and by the
 * reconciler, which closes stale purchases through RecordNotCompleted's own code. Both functions
 * hold every client this needs (DynamoDB, EventBridge, SES, and the gateways of the vendors that
 * leave items before approval: CoCalc) anyway.
 */
export function recordOutcomeDeps(): RecordOutcomeDeps {
  return {
    ...purchaseJournal(),
    spendGuard: spendGuard(),
    events: eventPublisher(),
    leftovers: vendorLeftovers(),
    mailer: mailer(),
    mail: attentionMailConfig(),
    notices: noticeLedger(),
  };
}

/** Where RecordOutcome logs, and how it scrubs text that may carry a secret. */
export const RECORD_OUTCOME_RUNTIME: RecordOutcomeRuntime = { log: logger, redactText };

/** RecordNotCompleted for one purchase, as the reconciler calls it. */
export function closePurchase(): ClosePurchase {
  const deps = { ...recordOutcomeDeps(), ...RECORD_OUTCOME_RUNTIME };
  return (state) => recordOutcome(deps, { outcome: 'NOT_COMPLETED', state });
}
