import type { PurchaseJournal } from './purchase-journal';
import type { RequesterNoticeDeps } from './notify-requester';
import type { ApprovalStore, Mailer, NoticeLedger, PurchaseStore, SpendGuard, TaskCallback } from './ports';
import { FINAL_STATUSES, type PurchaseStatus } from './workflow';

/*
 * What the approval link endpoint's parts share (core/approval-link-endpoint.ts builds it once
 * per endpoint): the request and dependency shapes, the per-endpoint context, and the statuses
 * and answers both the GET and the POST side must agree on.
 */

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
export interface ApprovalsApiDeps extends PurchaseJournal {
  /** Structurally the shared logger (lambdas/shared/logger.ts). */
  log: {
    warn(message: string, ...extra: Array<Record<string, unknown>>): void;
    error(message: string, ...extra: Array<Record<string, unknown>>): void;
  };
  approvals: ApprovalStore;
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

/** The endpoint's dependencies with their defaults applied, passed to each of its parts. */
export interface ApprovalLinkContext {
  deps: ApprovalsApiDeps;
  clock: () => Date;
  redeliverAfterMs: number;
  /** The requester's approval notice, sent once the workflow has the decision (never blocks it). */
  notices: RequesterNoticeDeps & { purchases: Pick<PurchaseStore, 'get'> };
}

/** The context for `deps`: the defaults of the clock and the redelivery delay applied once. */
export function approvalLinkContextOf(deps: ApprovalsApiDeps): ApprovalLinkContext {
  const clock = deps.clock ?? (() => new Date());
  const redeliverAfterMs = deps.redeliverAfterMs ?? 20_000;
  // The requester's approval notice, sent once the workflow has the decision (never blocks it).
  const notices = { ...deps, sender: deps.config.sender, clock };
  return { deps, clock, redeliverAfterMs, notices };
}

/** A link of a round that a re-quote replaced. */
export const ROUND_REPLACED = 'The purchase was asked about again; use the newest approval mail.';

/**
 * Purchase statuses that mean nobody is waiting for an approval any more: the final ones, and the
 * ones a purchase passes through after its approval (approved, buying, bought but not yet verified).
 */
export const PAST_APPROVAL: ReadonlySet<PurchaseStatus> = new Set<PurchaseStatus>(['APPROVED', 'PURCHASING', 'PURCHASED', ...FINAL_STATUSES]);

/**
 * Statuses a decision must never overwrite: the purchase went on (or ended) without waiting for
 * this write, e.g. a late decision after the approval timed out, or a redelivery after Checkout began.
 */
export const NOT_OVERWRITTEN_BY_A_DECISION: readonly PurchaseStatus[] = [...PAST_APPROVAL].filter((s) => s !== 'APPROVED');
