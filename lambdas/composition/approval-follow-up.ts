import type { FollowUpDeps } from '../core/approval-follow-up';
import { approvalFollowUpConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { approvalMailing } from './approval-mailing';

/** Composition root (README.md): ApprovalReminders' wiring, for its sweeps and its resend route. */
export function approvalFollowUpDeps(): FollowUpDeps {
  const config = approvalFollowUpConfig();
  return { ...approvalMailing(config.signingSecretId), log: logger, config };
}
