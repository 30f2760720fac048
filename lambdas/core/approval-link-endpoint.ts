import { isApprovalId, verifyApprovalSignature } from './approval-link';
import { canonicalApprovalRef, repairApprovalId, repairSignature } from './approval-link-repair';
import { renderConfirmPage } from './approval-page';
import { countedPage, decidedDetail, decidedPage, errorPage, type ApprovalPageResult } from './approval-link-pages';
import { budgetLeft } from './budget-left';
import { ApprovalAlreadyDecidedError, ApprovalExpiredError, ApprovalNotFoundError, InvalidRequestError, TaskClosedError } from './errors';
import { notifyApproval } from './notify-requester';
import type {
  ApprovalRecord,
  ApprovalStore,
  AuditLog,
  DecidedRecord,
  Mailer,
  NoticeLedger,
  PurchaseStore,
  RoundQuorum,
  SpendGuard,
  TaskCallback,
} from './ports';
import { FINAL_STATUSES, type PurchaseStatus } from './workflow';
import { approvalDecisionOf, decidesRound, isDecided, needsSeveral, quorumViewOf, type DecidedApproval } from './approval-decision';
import { personOf } from './approval-policy';
import { pendingApprovalOf } from './approval-round-view';

export type { ApprovalPageResult } from './approval-link-pages';

/** One request to the endpoint, read from the HTTP event by the entry file. Never logged: it holds the signature. */
export interface ApprovalLinkRequest {
  method: string;
  /** The `{id}` path parameter as sent, and the request's path (a mangled link is redirected from it). */
  rawId: string | undefined;
  path: string;
  /** GET: the query parameters (`sig`, or `amp;sig` from a mail client's `&amp;`). */
  query: Record<string, string | undefined>;
  /** POST: the form fields; throws InvalidRequestError for a body that is not a form. */
  readForm: () => Record<string, string>;
  /** Caller metadata for the audit trail. */
  caller: { sourceIp?: string; userAgent?: string };
}

/**
 * The approval link's endpoint (local-aws-runtime.md §4.2).
 *   GET  /approvals/{id}?sig=  confirm page; changes nothing (mail scanners open links)
 *   POST /approvals/{id}       form {sig, decision, comment}: verify, single-use decide, audit,
 *                              then SendTaskSuccess with {decision, approver, decidedAt, comment}
 * A round that needs several distinct approvals (core/approval-policy.ts) hears of nothing until
 * the approval that completes it (or any rejection): an approval short of it is recorded, audited
 * APPROVAL_COUNTED and shown with what is still needed; the confirm page shows the same.
 * A link a mail client mangled (trailing slash, `)`, `.`, `>`, `&amp;`; approval-link-repair.ts)
 * that still verifies is redirected to its canonical form, so the page's form posts to the right path.
 * The event is never logged: its query string and body hold the signature.
 */
export interface ApprovalsApiDeps {
  /** Structurally compatible with the Powertools logger. */
  log: {
    warn(message: string, ...extra: Array<Record<string, unknown>>): void;
    error(message: string, ...extra: Array<Record<string, unknown>>): void;
  };
  approvals: ApprovalStore;
  purchases: PurchaseStore;
  audit: AuditLog;
  callback: TaskCallback;
  spendGuard: Pick<SpendGuard, 'remaining'>;
  signingKey: () => Promise<string>;
  /** The requester's approval notice (core/notify-requester.ts), one per purchase. */
  mailer: Mailer;
  notices: NoticeLedger;
  config: { sender: string };
  clock?: () => Date;
  /**
   * How long after a decision a second POST of the same link may re-send it (the first request's
   * SendTaskSuccess may have failed). Must exceed the function's timeout, so that the request that
   * decided has finished delivering before anyone else tries (a double click, a second tab).
   * @default 20000 (the ApprovalsApi function times out after 15 s)
   */
  redeliverAfterMs?: number;
}

const MAX_COMMENT_CHARS = 1000;

/** A link of a round that a re-quote replaced. */
const ROUND_REPLACED = 'The purchase was asked about again; use the newest approval mail.';

/**
 * Purchase statuses that mean nobody is waiting for an approval any more: the final ones, and the
 * ones a purchase passes through after its approval (approved, buying, bought but not yet verified).
 */
const PAST_APPROVAL: ReadonlySet<PurchaseStatus> = new Set<PurchaseStatus>(['APPROVED', 'PURCHASING', 'PURCHASED', ...FINAL_STATUSES]);

/**
 * Statuses a decision must never overwrite: the purchase went on (or ended) without waiting for
 * this write, e.g. a late decision after the approval timed out, or a redelivery after Checkout began.
 */
const NOT_OVERWRITTEN_BY_A_DECISION: readonly PurchaseStatus[] = [...PAST_APPROVAL].filter((s) => s !== 'APPROVED');

/**
 * The endpoint over plain inputs (the entry file, lambdas/handlers/approvals-api.ts, reads them
 * from the API Gateway event and turns the result into a response with the pages' CSP).
 */
export function approvalLinkEndpoint(deps: ApprovalsApiDeps): (request: ApprovalLinkRequest) => Promise<ApprovalPageResult> {
  const clock = deps.clock ?? (() => new Date());
  const redeliverAfterMs = deps.redeliverAfterMs ?? 20_000;
  // The requester's approval notice, sent once the workflow has the decision (never blocks it).
  const notices = { ...deps, sender: deps.config.sender, clock };

  /** The record for a well-formed id and a matching signature, or the page that says why not. */
  async function authenticate(id: string | undefined, sig: string | undefined): Promise<ApprovalRecord | ApprovalPageResult> {
    if (!id || !isApprovalId(id)) return errorPage('not-found');
    if (!sig) return errorPage('invalid');
    const record = await deps.approvals.get(id);
    if (!record) return errorPage('not-found');
    // Approver and expiry come from the record, so a signature for another approver or another
    // expiry does not verify.
    const key = await deps.signingKey();
    if (!verifyApprovalSignature({ approvalId: id, approver: record.approver, expiresAt: record.expiresAt }, sig, key)) {
      deps.log.warn('approval link with an invalid signature', { approvalId: id });
      return errorPage('invalid');
    }
    return record;
  }

  async function confirm(event: ApprovalLinkRequest): Promise<ApprovalPageResult> {
    const query = event.query;
    const rawSig = query.sig ?? query['amp;sig'];
    const rawId = event.rawId;
    const id = repairApprovalId(rawId) ?? rawId;
    const sig = repairSignature(rawSig) ?? rawSig;
    const auth = await authenticate(id, sig);
    if (!('approvalId' in auth)) return auth;
    // Only a link that verifies is redirected: the redirect must not vouch for anything else.
    const path = event.path;
    if (id !== rawId || sig !== query.sig || path.endsWith('/')) {
      return { redirect: canonicalApprovalRef(path, auth.approvalId, sig!) };
    }
    const record = auth;
    const now = clock();
    if (isDecided(record)) return errorPage('already-decided', decidedDetail(record));
    if (record.status === 'EXPIRED' || Date.parse(record.expiresAt) <= now.getTime()) return errorPage('expired');
    if (!record.summary) return errorPage('unavailable', 'This approval has no purchase details.', 500);
    // Another approver may have decided already; say so instead of offering buttons that will
    // only get a 409. (Only a hint: the POST's conditional writes are the real guard.)
    const purchase = await deps.purchases.get(record.purchaseId);
    if (purchase && PAST_APPROVAL.has(purchase.status)) {
      return errorPage('already-decided', `The purchase is now ${purchase.status.toLowerCase().replace(/_/g, ' ')}.`);
    }
    // Display only (the POST enforces it all): the quorum of a link minted for a round needing several.
    const [budget, quorum] = await Promise.all([
      budgetLeft(deps.spendGuard, record.summary.vendor, now, deps.log),
      (record.required ?? 1) > 1 ? deps.approvals.quorum(record) : undefined,
    ]);
    if (quorum?.replaced) return errorPage('expired', ROUND_REPLACED);
    if (needsSeveral(quorum) && quorum.approvedBy.includes(personOf(record.approver))) {
      return errorPage('already-decided', `${record.approver} already approved it through another link; that approval counts once.`);
    }
    return {
      status: 200,
      html: renderConfirmPage({
        approvalId: record.approvalId,
        signature: sig!,
        approver: record.approver,
        expiresAt: record.expiresAt,
        summary: record.summary,
        ...(budget ? { budget } : {}),
        ...(needsSeveral(quorum) ? { quorum: quorumViewOf(quorum) } : {}),
      }),
    };
  }

  /** Audits the decision and moves the purchase's status; both before the machine hears of it. */
  async function record(decided: DecidedApproval, event: ApprovalLinkRequest, redelivered: boolean, quorum?: RoundQuorum): Promise<void> {
    const several = needsSeveral(quorum) && decided.status === 'APPROVED';
    await deps.audit.append(decided.purchaseId, {
      type: 'APPROVAL_DECIDED',
      status: decided.status,
      message: several
        ? `${decided.approver} approved the purchase, completing ${quorum!.approvedBy.length} of ${quorum!.required} distinct approvals (${quorum!.approvedBy.join(', ')})`
        : `${decided.approver} ${decided.status === 'APPROVED' ? 'approved' : 'rejected'} the purchase`,
      detail: {
        approvalId: decided.approvalId,
        decision: decided.status,
        approver: decided.approver,
        ...(several ? { approvers: quorum!.approvedBy, required: quorum!.required } : {}),
        decidedAt: decided.decidedAt,
        ...(decided.comment !== undefined ? { comment: decided.comment } : {}),
        ...event.caller,
        ...(redelivered ? { redelivered: true } : {}),
      },
      actor: decided.approver,
    });
    try {
      await deps.purchases.update(decided.purchaseId, { status: decided.status }, { unlessStatusIn: NOT_OVERWRITTEN_BY_A_DECISION });
    } catch (err) {
      // The audit entry is the record of truth; a status write must not block the decision.
      deps.log.warn('could not update the purchase status', { purchaseId: decided.purchaseId, error: err as Error });
    }
  }

  /**
   * Sends the stored decision. Step Functions accepts a token once, so sending again after a
   * failure that left the token open is safe, and a closed token is reported as TaskClosedError.
   */
  async function deliver(decided: DecidedApproval, quorum?: RoundQuorum): Promise<void> {
    const approvers = needsSeveral(quorum) && decided.status === 'APPROVED' ? quorum.approvedBy : undefined;
    await deps.callback.succeed(decided.taskToken, { ...approvalDecisionOf(decided, approvers) });
  }

  /**
   * An approval that counts but does not complete its round: audited, shown on GET /purchases
   * (who must still decide), and answered with what is still needed. Nothing is delivered.
   */
  async function counted(decided: DecidedApproval, quorum: RoundQuorum, event: ApprovalLinkRequest): Promise<ApprovalPageResult> {
    await deps.audit.append(decided.purchaseId, {
      type: 'APPROVAL_COUNTED',
      status: 'AWAITING_APPROVAL',
      message: `${decided.approver} approved the purchase: ${quorum.approvedBy.length} of ${quorum.required} distinct approvals`,
      detail: {
        approvalId: decided.approvalId,
        decision: decided.status,
        approver: decided.approver,
        decidedAt: decided.decidedAt,
        approvedBy: quorum.approvedBy,
        required: quorum.required,
        ...(decided.comment !== undefined ? { comment: decided.comment } : {}),
        ...event.caller,
      },
      actor: decided.approver,
    });
    if (quorum.decidedBy !== undefined) {
      // Another link decided the round between this approval's count and now: a rejection, or
      // another approval that completed the quorum with this one counted.
      return errorPage('already-decided', 'Your approval was recorded, but the purchase was decided through another link.');
    }
    try {
      const pendingApproval = pendingApprovalOf({
        approvers: quorum.asked,
        approvedBy: quorum.approvedBy,
        required: quorum.required,
        expiresAt: decided.expiresAt,
      });
      await deps.purchases.update(decided.purchaseId, { pendingApproval }, { ifStatusIn: ['AWAITING_APPROVAL'] });
    } catch (err) {
      // Display only: the round item holds the count.
      deps.log.warn('could not update who must still decide', { purchaseId: decided.purchaseId, error: err as Error });
    }
    return countedPage(decided, quorum);
  }

  async function decide(event: ApprovalLinkRequest): Promise<ApprovalPageResult> {
    let form: Record<string, string>;
    try {
      form = event.readForm();
    } catch (err) {
      if (err instanceof InvalidRequestError) return errorPage('invalid', err.message, 400);
      throw err;
    }
    const rawId = event.rawId;
    const auth = await authenticate(repairApprovalId(rawId) ?? rawId, repairSignature(form.sig) ?? form.sig);
    if (!('approvalId' in auth)) return auth;
    const current = auth;

    if (isDecided(current)) {
      // The request that decided may still be delivering (a double click, two tabs): it owns the
      // delivery until it has certainly finished. Re-sending now would race it and make it report
      // a closed task as "expired" for a decision that was applied.
      const sinceDecision = clock().getTime() - Date.parse(current.decidedAt ?? '');
      let quorum = current.status === 'APPROVED' ? await deps.approvals.quorum(current) : undefined;
      if (quorum?.replaced) return errorPage('already-decided', decidedDetail(current));
      const several = needsSeveral(quorum);
      if (!(sinceDecision >= redeliverAfterMs)) {
        return several && quorum!.decidedBy === undefined ? countedPage(current, quorum!) : errorPage('already-decided', decidedDetail(current));
      }
      // An approval cut off before it was counted (or before it claimed the round it completed):
      // counting again is idempotent.
      if (several && quorum!.decidedBy === undefined) quorum = await deps.approvals.tally(current);
      if (several && quorum!.decidedBy === undefined) return countedPage(current, quorum!);
      if (several && !decidesRound(current, quorum!)) {
        return errorPage('already-decided', 'Your approval was recorded; the purchase was decided through another link.');
      }
      // This link already decided. If delivering that decision failed earlier, the token is still
      // open and this completes it; otherwise Step Functions says the task is closed.
      try {
        await deliver(current, quorum);
      } catch (err) {
        if (err instanceof TaskClosedError) return errorPage('already-decided', decidedDetail(current));
        throw err;
      }
      await record(current, event, true, quorum);
      await notifyApproval(notices, current);
      return decidedPage(current);
    }

    const decision = form.decision === 'approve' ? 'APPROVED' : form.decision === 'reject' ? 'REJECTED' : undefined;
    if (!decision) return errorPage('invalid', 'Choose Approve or Reject.', 400);
    const comment = form.comment?.trim() || undefined;
    if (comment !== undefined && comment.length > MAX_COMMENT_CHARS) {
      return errorPage('invalid', `The comment is longer than ${MAX_COMMENT_CHARS} characters.`, 400);
    }

    // The machine may have stopped waiting (expired, interrupted) or another approver decided:
    // then this link decides nothing, and the record and the trail stay as they are.
    const purchase = await deps.purchases.get(current.purchaseId);
    if (purchase && PAST_APPROVAL.has(purchase.status)) {
      return purchase.status === 'EXPIRED' || purchase.status === 'INTERRUPTED'
        ? errorPage('expired')
        : errorPage('already-decided', `The purchase is now ${purchase.status.toLowerCase().replace(/_/g, ' ')}.`);
    }

    const now = clock();
    let result: DecidedRecord;
    try {
      result = await deps.approvals.decide(
        current.approvalId,
        { status: decision, decidedAt: now.toISOString(), ...(comment !== undefined ? { comment } : {}) },
        now,
      );
    } catch (err) {
      if (err instanceof ApprovalExpiredError) return errorPage('expired');
      if (err instanceof ApprovalAlreadyDecidedError) {
        const latest = await deps.approvals.get(current.approvalId);
        return errorPage('already-decided', latest ? decidedDetail(latest) : undefined);
      }
      if (err instanceof ApprovalNotFoundError) return errorPage('not-found');
      throw err;
    }
    // The record alone goes on (audit, delivery); the quorum decide() saw saves reading it again.
    const { quorum: known, ...decided } = result;
    if (!isDecided(decided)) throw new Error(`approval ${decided.approvalId} is ${decided.status} after deciding`);
    const quorum = decided.status === 'APPROVED' ? (known ?? (await deps.approvals.quorum(decided))) : undefined;
    if (quorum?.replaced) {
      // The purchase was asked about again while this approval was on its way: the round it
      // belongs to is over, and the new one must not look decided.
      return errorPage('expired', ROUND_REPLACED);
    }
    if (needsSeveral(quorum) && !decidesRound(decided, quorum)) return counted(decided, quorum, event);

    await record(decided, event, false, quorum);
    try {
      await deliver(decided, quorum);
    } catch (err) {
      if (!(err instanceof TaskClosedError)) throw err;
      // Rare: the link outlived the task (aborted execution, or a timeout configured shorter than
      // the link). The machine has moved on without this decision; say so in the trail.
      await deps.audit.append(decided.purchaseId, {
        type: 'APPROVAL_NOT_DELIVERED',
        status: 'EXPIRED',
        message: 'the approval arrived after the workflow stopped waiting for it',
        detail: { approvalId: decided.approvalId, decision: decided.status },
        actor: decided.approver,
      });
      return errorPage('expired', 'The workflow had already stopped waiting; your decision was recorded but not applied.');
    }
    await notifyApproval(notices, decided, purchase);
    return decidedPage(decided);
  }

  return async (event) => {
    try {
      const method = event.method.toUpperCase();
      if (method === 'GET') return await confirm(event);
      if (method === 'POST') return await decide(event);
      return errorPage('not-found', undefined, 405);
    } catch (err) {
      deps.log.error('approval request failed', { error: err as Error });
      return errorPage('unavailable', undefined, 500);
    }
  };
}
