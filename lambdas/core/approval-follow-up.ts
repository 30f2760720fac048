import { budgetLeft, type BudgetLeftLogger } from './budget-left';
import { mintApprovalLink } from './mint-approval-link';
import { askedSoFar, pendingApprovalOf, stillToDecide } from './approval-round-view';
import { renderApprovalMail, type ApprovalFollowUpKind } from './approval-mail';
import { FOLLOW_UP_AUDIT } from './approval-follow-up-plan';
import { planFollowUps, type FollowUpPolicy } from './approval-follow-up-plan';
import { PurchaseStatusConflictError } from './errors';
import type { ApprovalRound, ApprovalRounds, ApprovalStore, AuditLog, Mailer, PurchaseIndex, PurchaseStore, SpendGuard } from './ports';

/**
 * Follow-ups of an open approval round (issue #13, part 1): reminders, the escalation and resends.
 * Each mails fresh links: new approval records bound to the round's task token, which stays in the
 * state table, so nothing in the state machine changes and no Lambda waits. Every link of a round
 * shares the round's one decision claim (DynamoApprovalStore.decide), so the first decision through
 * any of them - original, reminder, escalation or resend - is the only one, and the others refuse.
 *
 * Order per follow-up: claim it on the round (one conditional write, so it happens once), create
 * the records, audit their ids (the money steps accept a decision only through a link the trail
 * names: core/verify-approval.ts), then mail. A mail that fails after its claim is not retried
 * (at most once); the error is reported and the other links keep working.
 */

export interface FollowUpDeps {
  rounds: ApprovalRounds;
  approvals: Pick<ApprovalStore, 'create'>;
  purchases: Pick<PurchaseStore, 'get' | 'update'> & PurchaseIndex;
  audit: Pick<AuditLog, 'append'>;
  mailer: Mailer;
  signingKey: () => Promise<string>;
  /** The budget line of the mail, as in the first one (display only). */
  spendGuard: Pick<SpendGuard, 'remaining'>;
  log: BudgetLeftLogger;
  config: { sender: string; baseUrl: string; policy: FollowUpPolicy };
  clock?: () => Date;
}

/**
 * Creates one fresh link per approver, audits them under `kind`, then mails them. Returns the new
 * approval ids (names of records; without a signature they decide nothing).
 */
export async function sendFreshLinks(
  deps: FollowUpDeps,
  round: ApprovalRound,
  approvers: readonly string[],
  kind: ApprovalFollowUpKind,
  now: Date,
  audit: { message: string; actor: string; detail?: Record<string, unknown> },
): Promise<string[]> {
  const [key, budget] = await Promise.all([deps.signingKey(), budgetLeft(deps.spendGuard, round.summary.vendor, now, deps.log)]);
  const links: Array<{ approver: string; approvalId: string; url: string }> = [];
  for (const approver of approvers) {
    const { purchaseId, taskToken, expiresAt, summary, required } = round;
    const link = {
      purchaseId,
      approver,
      taskToken,
      expiresAt,
      createdAt: now.toISOString(),
      summary,
      ...(required !== undefined && required > 1 ? { required } : {}),
    };
    const minted = await mintApprovalLink(deps.approvals, link, key, deps.config.baseUrl);
    links.push({ approver, ...minted });
  }
  const approvalIds = links.map((l) => l.approvalId);
  await deps.audit.append(round.purchaseId, {
    type: FOLLOW_UP_AUDIT[kind],
    status: 'AWAITING_APPROVAL',
    message: audit.message,
    detail: { approvers: [...approvers], approvalIds, expiresAt: round.expiresAt, amountUsd: round.summary.amountUsd, ...audit.detail },
    actor: audit.actor,
  });
  for (const link of links) {
    await deps.mailer.send(
      renderApprovalMail({
        from: deps.config.sender,
        approver: link.approver,
        summary: round.summary,
        url: link.url,
        expiresAt: round.expiresAt,
        followUp: kind,
        ...(budget ? { budget } : {}),
        ...((round.required ?? 1) > 1 ? { quorum: { needed: round.required!, of: askedSoFar(round).length } } : {}),
      }),
    );
  }
  return approvalIds;
}

/** What one round's follow-up did. */
export type RoundFollowUp = Array<'reminded' | 'reminder-skipped' | 'escalated'>;

/** Sends what is due for one open, undecided round (nothing when another run already did). */
export async function followUpRound(deps: FollowUpDeps, round: ApprovalRound, now: Date): Promise<RoundFollowUp> {
  const done: RoundFollowUp = [];
  const plan = planFollowUps(round, deps.config.policy, now);
  if (!plan.reminder && !plan.escalate) return done;
  if (await deps.rounds.decided(round)) return done;

  if (plan.escalate) {
    const escalation = deps.config.policy.escalation!;
    const approvers = escalation.approvers.filter((a) => !round.approvers.includes(a));
    if (await deps.rounds.mark(round, { kind: 'escalation', at: now.toISOString(), approvers })) {
      if (approvers.length > 0) {
        const message = `no decision ${escalation.delaySeconds} s after the request; escalated to ${approvers.length} more approver(s)`;
        await sendFreshLinks(deps, round, approvers, 'escalation', now, { message, actor: 'system', detail: { delaySeconds: escalation.delaySeconds } });
        await showPendingApprovers(deps, { ...round, escalationApprovers: approvers });
      }
      round = { ...round, escalationApprovers: approvers, escalatedAt: now.toISOString() };
      done.push('escalated');
    }
  }
  const reminder = plan.reminder;
  if (reminder && (await deps.rounds.mark(round, { kind: 'reminder', from: reminder.from, to: reminder.upTo }))) {
    if (reminder.send) {
      // The escalation approvers of this very run just got their first link: no reminder for them.
      const approvers = stillToDecide(round).filter((a) => !(done.includes('escalated') && round.escalationApprovers?.includes(a)));
      const message = `no decision yet; reminder with a fresh link sent to ${approvers.length} approver(s), ${reminder.offsetSeconds} s before the links expire`;
      await sendFreshLinks(deps, round, approvers, 'reminder', now, { message, actor: 'system', detail: { offsetSeconds: reminder.offsetSeconds } });
      done.push('reminded');
    } else done.push('reminder-skipped');
  }
  return done;
}

/** GET /purchases says who may decide: the escalation approvers too, once asked. */
async function showPendingApprovers(deps: FollowUpDeps, round: ApprovalRound): Promise<void> {
  try {
    await deps.purchases.update(round.purchaseId, { pendingApproval: pendingApprovalOf(round) }, { ifStatusIn: ['AWAITING_APPROVAL'] });
  } catch (err) {
    // Decided in the meantime: the listing no longer shows who may decide.
    if (!(err instanceof PurchaseStatusConflictError)) throw err;
  }
}

/** What one sweep saw and did (the handler's result and log line). */
export interface FollowUpReport {
  startedAt: string;
  /** Purchases awaiting approval that were looked at. */
  checked: number;
  actions: Array<{ purchaseId: string; done: RoundFollowUp }>;
  errors: string[];
}

/** Purchases looked at per run; the rest wait for the next run. */
const MAX_PURCHASES_PER_RUN = 500;
const PAGE = 100;

/** One scheduled run: every purchase awaiting approval gets what is due for its round. */
export async function sweepApprovalRounds(deps: FollowUpDeps): Promise<FollowUpReport> {
  const now = (deps.clock ?? (() => new Date()))();
  const report: FollowUpReport = { startedAt: now.toISOString(), checked: 0, actions: [], errors: [] };
  let after: string | undefined;
  do {
    const page = await deps.purchases.list({ status: 'AWAITING_APPROVAL', limit: PAGE, ...(after ? { after } : {}) });
    for (const purchase of page.records) {
      report.checked += 1;
      try {
        const round = await deps.rounds.get(purchase.purchaseId);
        if (!round) continue;
        const done = await followUpRound(deps, round, now);
        if (done.length) report.actions.push({ purchaseId: purchase.purchaseId, done });
      } catch (err) {
        report.errors.push(`${purchase.purchaseId}: ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    after = page.next;
  } while (after && report.checked < MAX_PURCHASES_PER_RUN);
  return report;
}
