import type { FollowUpDeps } from '../core/approval-follow-up';
import { approvalFollowUpConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { approvalRounds, approvalStore } from './approval';
import { mailer } from './mail';
import { signingKey } from './signing';
import { purchaseJournal, spendGuard } from './stores';

/** Composition root (README.md): ApprovalReminders' wiring, for its sweeps and its resend route. */
export function approvalFollowUpDeps(): FollowUpDeps {
  const config = approvalFollowUpConfig();
  return {
    ...purchaseJournal(),
    rounds: approvalRounds(),
    approvals: approvalStore(),
    mailer: mailer(),
    signingKey: signingKey(config.signingSecretId),
    spendGuard: spendGuard(),
    log: logger,
    config,
  };
}
