import { approvalsRequired, approversToAsk, type ApprovalPolicy } from './approval-policy';
import { renderApprovalMail } from './approval-mail';
import { budgetLeft, type BudgetLeftLogger } from './budget-left';
import { InvalidRequestError, PurchaseStatusConflictError } from './errors';
import { describeFailure } from './failure';
import { mintApprovalLink } from './mint-approval-link';
import { noteStep, type PurchaseJournal } from './purchase-journal';
import type { ApprovalRounds, ApprovalStore, ApprovalSummary, Mailer, SpendGuard } from './ports';
import { PAST_APPROVAL } from './approval-link-context';
import type { PurchaseStatus, RequestApprovalPayload } from './workflow';

/** Statuses the request's own status write leaves as they are: decided (an approver may answer the mail first) or closed. */
const NOT_OVERWRITTEN_BY_A_REQUEST: readonly PurchaseStatus[] = [...PAST_APPROVAL];

/**
 * RequestApproval (a `.waitForTaskToken` Task): for each approver, store an approval record
 * holding the task token, and mail a signed link that carries only the record's id. The machine
 * then waits until the approvals API sends the decision with that token, or the Task times out.
 */
export interface RequestApprovalDeps extends PurchaseJournal {
  /** Structurally the shared logger (lambdas/shared/logger.ts). */
  log: BudgetLeftLogger & { info(message: string, ...extra: Array<Record<string, unknown>>): void };
  approvals: ApprovalStore;
  /** The round the follow-ups (reminders, escalation, resend) mint fresh links for. */
  rounds: Pick<ApprovalRounds, 'open'>;
  mailer: Mailer;
  spendGuard: Pick<SpendGuard, 'remaining'>;
  /** The link-signing key (cached secret). */
  signingKey: () => Promise<string>;
  config: { sender: string; baseUrl: string; timeoutSeconds: number; policy: ApprovalPolicy };
  clock?: () => Date;
}

/**
 * Links expire a little before the Task's own timeout (which started before this Lambda ran), so a
 * link that is still valid always finds the task open.
 */
export function linkLifetimeMs(timeoutSeconds: number): number {
  const margin = Math.min(60, Math.floor(timeoutSeconds / 10));
  return (timeoutSeconds - margin) * 1000;
}

function requirePayload(event: RequestApprovalPayload): void {
  const issues: string[] = [];
  if (typeof event?.taskToken !== 'string' || event.taskToken.length === 0) issues.push('taskToken: required');
  if (!event?.state?.purchaseId) issues.push('state.purchaseId: required');
  if (!event?.state?.request) issues.push('state.request: required');
  if (!event?.state?.quote) issues.push('state.quote: required');
  // Never echo the payload: it holds the token.
  if (issues.length) throw new InvalidRequestError(`RequestApproval payload is incomplete: ${issues.join('; ')}`, issues);
}

export async function requestApproval(deps: RequestApprovalDeps, event: RequestApprovalPayload): Promise<void> {
  const clock = deps.clock ?? (() => new Date());
  requirePayload(event);
  const { taskToken, state } = event;
  const quote = state.quote!;
  // Who is asked and how many must approve: the amount's tier in this function's own policy.
  const { policy } = deps.config;
  const approvers = [...approversToAsk(policy, quote.amountUsd)];
  const required = Math.max(1, approvalsRequired(policy, quote.amountUsd, state.mismatch !== undefined));
  if (approvers.length === 0) throw new Error('no approvers are configured');

  const now = clock();
  const expiresAt = new Date(now.getTime() + linkLifetimeMs(deps.config.timeoutSeconds)).toISOString();
  const summary: ApprovalSummary = {
    vendor: state.request.vendor,
    item: quote.summary,
    amountUsd: quote.amountUsd,
    requester: { name: state.request.requester.name, email: state.request.requester.email },
    reason: state.request.reason,
    ...(state.mismatch ? { mismatch: describeFailure(state.mismatch).message.slice(0, 300) } : {}),
  };
  const [key, budget] = await Promise.all([deps.signingKey(), budgetLeft(deps.spendGuard, summary.vendor, now, deps.log)]);

  // The round before any link: a follow-up must find every round whose links are out.
  await deps.rounds.open({ purchaseId: state.purchaseId, taskToken, sentAt: now.toISOString(), expiresAt, approvers, required, summary });
  const approvalIds: string[] = [];
  for (const approver of approvers) {
    const link = { purchaseId: state.purchaseId, approver, taskToken, expiresAt, createdAt: now.toISOString(), summary, ...(required > 1 ? { required } : {}) };
    const { approvalId, url } = await mintApprovalLink(deps.approvals, link, key, deps.config.baseUrl);
    const mail = {
      from: deps.config.sender,
      approver,
      summary,
      url,
      expiresAt,
      ...(required > 1 ? { quorum: { needed: required, of: approvers.length } } : {}),
    };
    await deps.mailer.send(renderApprovalMail(budget ? { ...mail, budget } : mail));
    approvalIds.push(approvalId);
  }

  try {
    // The entry is written either way. The status is conditional: if this invocation ran so late
    // that the task already timed out and the purchase was closed, its final status must stay; and
    // an approver may answer the mail before this write, so APPROVED (and what follows) stays too.
    await noteStep(
      deps,
      state.purchaseId,
      {
        type: 'APPROVAL_SENT',
        status: 'AWAITING_APPROVAL',
        message: state.mismatch
          ? `vendor total changed; approval requested again from ${approvers.length} approver(s)${required > 1 ? `, ${required} must approve` : ''}`
          : `approval requested from ${approvers.length} approver(s)${required > 1 ? `, ${required} must approve` : ''}`,
        // Ids only name records; without a signature they decide nothing.
        detail: {
          approvers,
          approvalIds,
          approvalsNeeded: required,
          expiresAt,
          amountUsd: quote.amountUsd,
          ...(state.mismatch ? { mismatch: true } : {}),
        },
        actor: 'system',
      },
      // pendingApproval: who still has to decide, for GET /purchases.
      {
        status: 'AWAITING_APPROVAL',
        amountUsd: quote.amountUsd,
        pendingApproval: { approvers, expiresAt, ...(required > 1 ? { approvalsNeeded: required, approvedBy: [] } : {}) },
      },
      { unlessStatusIn: NOT_OVERWRITTEN_BY_A_REQUEST },
    );
  } catch (err) {
    if (!(err instanceof PurchaseStatusConflictError)) throw err;
    deps.log.warn('the purchase was decided or closed before its approval request was recorded', { purchaseId: state.purchaseId });
    return;
  }
  deps.log.info('approval requested', { purchaseId: state.purchaseId, approvers: approvalIds.length });
}
