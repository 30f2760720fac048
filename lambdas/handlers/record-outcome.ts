import { recordOutcome, type RecordedOutcome, type RecordOutcomeDeps } from '../core/record-outcome';
import type { RecordOutcomePayload } from '../core/workflow';
import { cocalcGateway } from '../composition/cocalc';
import { eventPublisher } from '../composition/events';
import { mailer } from '../composition/mail';
import { noticeLedger, purchaseJournal, spendGuard } from '../composition/stores';
import { attentionMailConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { redactText } from '../shared/redact';

export type { RecordedOutcome, RecordOutcomeDeps } from '../core/record-outcome';

/** RecordCompleted / RecordNotCompleted: the outcome and state in, the end out (lambdas/core/record-outcome.ts). */
export function makeHandler(deps: RecordOutcomeDeps): (payload: RecordOutcomePayload) => Promise<RecordedOutcome> {
  const wired = { ...deps, log: logger, redactText };
  return (payload) => recordOutcome(wired, payload);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): RecordOutcomeDeps {
  return {
    ...purchaseJournal(),
    spendGuard: spendGuard(),
    events: eventPublisher(),
    cocalc: cocalcGateway,
    mailer: mailer(),
    mail: attentionMailConfig(),
    notices: noticeLedger(),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
