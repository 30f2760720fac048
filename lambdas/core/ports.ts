import type { AuditKind } from './audit-kinds';
import type { SiteLicenseDescription } from './cocalc-license';
import type { CleanupStep } from './cleanup-steps';
import type { ExecutionInput, PurchaseStatus, Reservation } from './workflow';
import type { Vendor } from './purchase-request';
import type { RateClaim } from './rate-slots';

/**
 * Ports: interfaces the domain and handlers depend on. Adapters in lambdas/adapters implement them
 * (HOUSE-STYLE "Hexagonal"). Vendor ports return plain typed objects, never raw vendor payloads.
 */

// ---- CoCalc (shared/vendors/cocalc-api-v2.md) ----------------------------------------------------
export interface CocalcCartItem {
  id: number;
  added: string;
  checked: boolean;
  removed: string | null;
  purchased: { success?: boolean; time?: string; licenseId?: string } | null;
  product: string;
  description: Record<string, unknown>;
  projectId: string | null;
}

export interface CocalcCheckoutParams {
  balance: number;
  minBalance: number;
  minPayment: number;
  amountDue: number;
  chargeAmount: number;
  /** Server-side sum of the checked items' line amounts, USD. */
  total: number;
  cart: Array<{ id: number; lineItemAmount: number }>;
}

export interface CocalcManagedLicense {
  id: string;
  title: string | null;
  description: string | null;
  /** Epoch milliseconds, as the vendor reports them (§6). */
  created: number | null;
  activates: number | null;
  expires: number | null;
  runLimit: number | null;
  quota: Record<string, unknown> | null;
}

export type { CocalcCheckoutMode } from './cocalc-checkout-mode';

export interface CocalcGateway {
  verifyKey(): Promise<{ accountId: string; email: string }>;
  /** Adds a site license; returns the new cart item's id (the vendor itself returns only `1`). */
  addToCart(description: SiteLicenseDescription, projectId?: string): Promise<number>;
  getCart(): Promise<CocalcCartItem[]>;
  getPurchasedItems(): Promise<CocalcCartItem[]>;
  getCartItem(id: number): Promise<CocalcCartItem>;
  /** "Save for later" (vendor `remove`). */
  removeFromCart(id: number): Promise<boolean>;
  /** Hard delete of an unpurchased item (vendor `delete`). */
  deleteFromCart(id: number): Promise<boolean>;
  /** Sets `checked` on one item, or on every current cart item when `id` is absent. */
  setChecked(checked: boolean, id?: number): Promise<number>;
  checkoutParams(): Promise<CocalcCheckoutParams>;
  /** Buys every checked item, in the configured mode. */
  checkout(): Promise<void>;
  listManagedLicenses(opts?: { limit?: number; skip?: number }): Promise<CocalcManagedLicense[]>;
}

// ---- InterServer (shared/vendors/interserver-soap.md) -------------------------------------------
export interface InterserverLicenseType {
  id: number;
  name: string;
  /** USD per month. */
  cost: number;
}

export interface InterserverBuyResult {
  /** 0 when PrePay paid it and the license is active. */
  invoice: number;
  cost: number;
  paidWithPrepay: boolean;
  statusText: string;
}

export interface InterserverLicense {
  id: number;
  type: number;
  ip: string;
  status: string;
  orderDate: string;
  hostname: string;
  key: string;
  /** The repeat-invoice id (§2), not the invoice returned by buy. */
  repeatInvoice: number;
  coupon: number;
  currency: string;
}

export interface InterserverInvoice {
  id: number;
  description: string;
  amount: number;
  paid: boolean;
  module: string;
  /** The license id the invoice is for. */
  serviceId: number;
  date: string;
  dueDate: string;
  type: number;
  currency: string;
}

export interface InterserverGateway {
  login(): Promise<string>;
  getLicenseTypes(): Promise<InterserverLicenseType[]>;
  /** `usePrepay` undefined = plain api_buy_license; boolean = api_buy_license_prepay. */
  buyLicense(input: { ip: string; type: number; coupon?: string; usePrepay?: boolean }): Promise<InterserverBuyResult>;
  listLicenses(): Promise<InterserverLicense[]>;
  getLicense(id: number): Promise<InterserverLicense>;
  getUnpaidInvoices(): Promise<InterserverInvoice[]>;
  makePayment(invoice: number): Promise<void>;
  cancelLicense(id: number): Promise<void>;
  getPrepayRemaining(): Promise<number>;
}

// ---- procure's own state (adapters in lambdas/adapters/aws) -------------------------------------

/** One audit-trail entry. Append-only: never updated or deleted. */
export interface AuditEntryInput {
  /** What happened: one of the kinds in audit-kinds.ts. */
  type: AuditKind;
  /** The purchase status after this entry. */
  status: PurchaseStatus;
  message?: string;
  /** Structured details (vendor references, amounts, reasons). Never secrets, tokens or signatures. */
  detail?: Record<string, unknown>;
  /** Who caused it: "system", an approver's email, "requester:<email>". */
  actor?: string;
}
export interface AuditEntry extends AuditEntryInput {
  purchaseId: string;
  /** Time-ordered sort key: ISO time + "#" + unique suffix. */
  seq: string;
  at: string;
}
/** Makes an append idempotent: every caller with the same key and time writes the one same entry. */
export interface AuditOnce {
  /** Unique per purchase for this kind of entry, e.g. "request-received". */
  key: string;
  /** The entry's time (canonical ISO), the same for every caller. */
  at: string;
}
export interface AuditLog {
  /** With `once`, a second append of the same key and time writes nothing and returns the entry. */
  append(purchaseId: string, entry: AuditEntryInput, once?: AuditOnce): Promise<AuditEntry>;
  list(purchaseId: string): Promise<AuditEntry[]>;
  listByStatus(status: PurchaseStatus, opts?: { since?: string; limit?: number }): Promise<AuditEntry[]>;
}

/** The current view of one purchase (state table PURCHASE#<id> / META). */
export interface PurchaseRecord {
  purchaseId: string;
  requestId: string;
  vendor: Vendor;
  status: PurchaseStatus;
  /** sha256 of the canonical request JSON: a repeated requestId with another body is a conflict. */
  requestHash: string;
  createdAt: string;
  updatedAt: string;
  amountUsd?: number;
  cartItemId?: number;
  licenseId?: string;
  invoice?: number;
  executionArn?: string;
  reason?: string;
  /** What a purchase step is waiting for, shown by `procure status`; null once it goes on. */
  waiting?: PurchaseWaiting | null;
  /** The CoCalc cart item was parked unchecked after the add (AddToCart's last vendor write). */
  cartItemParked?: boolean;
  /** The CoCalc checkout's progress, so a retried or restarted Checkout knows what happened. */
  checkout?: CheckoutProgress;
  /**
   * NEEDS_ATTENTION only: the compensation steps RecordNotCompleted could not finish, in the order
   * they must run; the reconciler retries them. Empty or absent: nothing left to clean up.
   */
  cleanupPending?: CleanupStep[];
  /** Set when a person settled a NEEDS_ATTENTION purchase (`procure resolve`). */
  resolution?: PurchaseResolution;
  /** Who asked for it, as the request named them (written at intake; GET /purchases shows it). */
  requester?: { name: string; email: string };
  /** `false` when the request opted out of requester notices (absent: notices are sent). */
  notifyRequester?: boolean;
  /**
   * The approval round RequestApproval opened last: who got a link and until when. Only meaningful
   * while the status is AWAITING_APPROVAL (the first decision ends the round).
   */
  pendingApproval?: PendingApproval;
}

/** An open approval round, as recorded on the purchase. */
export interface PendingApproval {
  /** Who was sent a link and has not approved yet. */
  approvers: string[];
  /** Distinct approvals still needed (absent: one, any of `approvers`). */
  approvalsNeeded?: number;
  /** Who approved already, when the round needs more than one approval. */
  approvedBy?: string[];
  /** When the links stop working. */
  expiresAt: string;
}

/** A purchase step that will run again later (the state machine waits, never a Lambda). */
export interface PurchaseWaiting {
  /** Human words: "a CoCalc cart/add slot (the vendor allows 15 adds a minute)". */
  for: string;
  since: string;
  /** When the next try is scheduled, if known. */
  until?: string;
}

/**
 * One purchase's CoCalc checkout attempts. `outcome` is what is known of the latest attempt:
 * `started` (sent, or about to be: a crash here is an unknown outcome too), `unknown` (the call
 * failed in a way that may have bought), `not-bought` (the vendor proved it did not take our item).
 */
export interface CheckoutProgress {
  attempt: number;
  outcome: 'started' | 'unknown' | 'not-bought';
  /** Other checked items this purchase unchecked; re-checked only once its outcome is known. */
  othersUnchecked: number[];
  /**
   * An attempt of this purchase had an unknown outcome: that checkout may still run at the vendor
   * and would buy every checked item, so nothing unchecked is ever re-checked afterwards.
   */
  hadUnknown?: boolean;
}

/** A person's finding on a NEEDS_ATTENTION purchase, recorded by `procure resolve`. */
export interface PurchaseResolution {
  finding: 'bought' | 'not-bought';
  /** The license the person found (finding `bought`). */
  licenseId?: string;
  /** The IAM identity that called the API. */
  actor: string;
  comment?: string;
  at: string;
}
export interface PurchaseStore {
  /**
   * Conditional put of REQ#<requestId>: exactly one caller ever claims a requestId. `claimedAt` is
   * the claim's own time, the same for every caller (absent only on claims stored without one).
   */
  claimRequest(
    requestId: string,
    purchaseId: string,
    requestHash: string,
  ): Promise<{ claimed: true; claimedAt: string } | { claimed: false; purchaseId: string; requestHash: string; claimedAt?: string }>;
  create(record: PurchaseRecord): Promise<void>;
  get(purchaseId: string): Promise<PurchaseRecord | undefined>;
  /**
   * Sets fields of an existing record. With `unlessStatusIn`, the write is refused with
   * PurchaseStatusConflictError (and nothing changes) when the current status is one of those;
   * with `ifStatusIn`, when it is not one of those.
   */
  update(
    purchaseId: string,
    patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>,
    options?: { unlessStatusIn?: readonly PurchaseStatus[]; ifStatusIn?: readonly PurchaseStatus[] },
  ): Promise<void>;
}

/** One page of {@link PurchaseIndex.list}: newest first. */
export interface PurchasePage {
  records: PurchaseRecord[];
  /** Where the next page starts (opaque to callers); absent on the last page. */
  next?: string;
}

/**
 * The purchases by creation time, newest first, optionally of one status (the state table's
 * purchasesByStatus index, table-keys.ts). Reads only; an index is eventually consistent, so a
 * purchase may show its previous status for a moment.
 */
export interface PurchaseIndex {
  /**
   * Up to `limit` purchases created at or after `since` (ISO time) and before the cursor `after`
   * (a `next` from an earlier page), of `status` when given.
   */
  list(query: { status?: PurchaseStatus; since?: string; after?: string; limit: number }): Promise<PurchasePage>;
}

/** Spend guard: per-vendor monthly caps and a per-day purchase count, reserved atomically. */
export interface SpendGuard {
  /** Idempotent per purchaseId. Throws BudgetExceededError / DailyLimitExceededError and reserves nothing then. */
  reserve(input: { purchaseId: string; vendor: Vendor; amountUsd: number; at: Date }): Promise<Reservation>;
  /** Changes an existing reservation's amount (after a re-quote); throws BudgetExceededError. */
  adjust(purchaseId: string, newAmountUsd: number): Promise<Reservation>;
  /** RESERVED -> COMMITTED. Idempotent. */
  commit(purchaseId: string): Promise<void>;
  /** RESERVED -> RELEASED, giving the amount and the daily slot back. Idempotent; a no-op when nothing was reserved. */
  release(purchaseId: string): Promise<void>;
  remaining(vendor: Vendor, at: Date): Promise<{ capUsd: number; reservedUsd: number; remainingUsd: number }>;
}

/** `shared` leases coexist with each other; an `exclusive` one coexists with no other lease. */
export type LockMode = 'exclusive' | 'shared';

/** Named lease locks with expiry (state table LOCK#<name>). */
export interface LockManager {
  /** Runs fn while holding the lock (exclusive unless `mode` says shared); throws LockBusyError when a lease that excludes it is live. */
  withLock<T>(name: string, holder: string, ttlMs: number, fn: () => Promise<T>, mode?: LockMode): Promise<T>;
  /**
   * Takes or renews the exclusive lease for `holder` and keeps it past the current `withLock`
   * (whose release then finds a newer lease and leaves it): it ends at its expiry, or when the
   * holder's next `withLock` of the same name releases it. For a holder that must come back to
   * finish (the state machine waits in between) without anyone else entering meanwhile.
   */
  hold(name: string, holder: string, ttlMs: number): Promise<void>;
}

/**
 * Rate-slot ledger (state table SLOTS#<key>, core/rate-slots.ts): when a rate-limited vendor call
 * may be sent, shared by concurrent Lambdas. Nothing here waits for a slot.
 */
export type { RateClaim };

export interface RateSlots {
  /** The holder's pending slot if it has one (a retry gets the same one), else the estimated earliest slot ≥ now, reserved. */
  reserve(key: string, holder: string, now: number): Promise<{ at: number }>;
  /** Gives the holder's pending slot back (its call will not be sent). No-op when it holds none. */
  release(key: string, holder: string): Promise<void>;
  /**
   * Right before sending: when no call sent so far can make the vendor refuse one sent at `now`,
   * records the holder's call as sent at `now` (it counts from then on, whatever happens next) and
   * answers `{ sent: true }`; otherwise records nothing and answers when to claim again.
   * `provisional` says that time rests on calls still in flight, whose answers may allow sooner.
   */
  claim(key: string, holder: string, now: number): Promise<RateClaim>;
  /**
   * The vendor answered the holder's last sent call by `now`, so it reached the vendor no later.
   * Not for a call the client gave up on: the vendor may still act on it later.
   */
  settle(key: string, holder: string, now: number): Promise<void>;
}

export interface ApprovalRecord {
  approvalId: string;
  purchaseId: string;
  approver: string;
  /** Step Functions task token: stays in the table, never in a link, mail, log or audit entry. */
  taskToken: string;
  expiresAt: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';
  createdAt: string;
  decidedAt?: string;
  comment?: string;
  /** What was mailed to the approver, shown again on the confirm page (a snapshot, not live data). */
  summary?: ApprovalSummary;
  /** Distinct approvals the link's round needs, when more than one (its round item holds the count). */
  required?: number;
}
/** The purchase as the approver was asked to approve it. No secrets: it is rendered into mail and HTML. */
export interface ApprovalSummary {
  vendor: Vendor;
  /** The quote's one-line item summary. */
  item: string;
  amountUsd: number;
  requester: { name: string; email: string };
  reason: string;
  /** Set when approval is asked again because the vendor's total changed. */
  mismatch?: string;
}
export interface ApprovalStore {
  create(record: ApprovalRecord): Promise<void>;
  get(approvalId: string): Promise<ApprovalRecord | undefined>;
  /**
   * Single-use: PENDING and not expired -> decided, with a conditional update. A rejection, or an
   * approval that completes its round's quorum, also claims the round's one decision so no other
   * link can decide it again; an approval short of the quorum is counted on the round instead
   * ({@link quorum} tells which). Throws ApprovalAlreadyDecidedError (this link was used, another
   * link decided the round, or this approver's approval already counts) / ApprovalExpiredError and
   * changes nothing then.
   */
  decide(approvalId: string, decision: { status: 'APPROVED' | 'REJECTED'; decidedAt: string; comment?: string }, now: Date): Promise<DecidedRecord>;
  /** Where the round of `record` stands: how many approvals it needs, who approved, who decided it. */
  quorum(record: ApprovalRecord): Promise<RoundQuorum>;
  /**
   * Counts `record` (APPROVED) on its round again and claims the round when that completes the
   * quorum: finishes a decide() cut off between its steps. Idempotent.
   */
  tally(record: ApprovalRecord): Promise<RoundQuorum>;
}

/** A decided approval record and, for an approval, where its round stood right after (what decide() read and wrote). */
export type DecidedRecord = ApprovalRecord & { quorum?: RoundQuorum };

/** An approval round's quorum (issue #13, part 2; core/approval-policy.ts). */
export interface RoundQuorum {
  /** Distinct approvals the round needs (1 for rounds opened before quorums existed). */
  required: number;
  /** Distinct approvers whose approval counts so far, lower-cased. */
  approvedBy: string[];
  /** Everyone the round has asked so far (first request and escalation). */
  asked: string[];
  /** The approval whose link decided the round (a rejection, or the approval completing it). */
  decidedBy?: string;
  /** The purchase's round is another one now (a re-quote asked again): this link decides nothing. */
  replaced?: boolean;
}

/**
 * The approval round RequestApproval opened last for a purchase (state table PURCHASE#<id> /
 * APPROVAL_ROUND): what the follow-ups (reminders, escalation, resend; core/approval-follow-up.ts)
 * need to mint fresh links for the same open task. Holds the task token: it never leaves the table.
 */
export interface ApprovalRound {
  purchaseId: string;
  /** Id of the round (a hash of its task token): the key its first decision claims. */
  round: string;
  taskToken: string;
  sentAt: string;
  /** When every link of the round stops working (the links minted later expire with it). */
  expiresAt: string;
  /** The approvers RequestApproval mailed. */
  approvers: string[];
  /** Distinct approvals the round needs; absent = 1 (rounds opened before quorums existed). */
  required?: number;
  /** Who has approved so far (lower-cased), while the round needs more than one approval. */
  approvedBy?: string[];
  summary: ApprovalSummary;
  /** How many of the configured reminder offsets have been dealt with (sent or skipped). */
  remindersSent: number;
  /** Set once the escalation approvers were mailed. */
  escalatedAt?: string;
  escalationApprovers?: string[];
  /** The latest resend (POST /purchases/{id}/approvals/resend), for its rate limit. */
  resentAt?: string;
}

/** A change to a round, applied only if the round is still the one read and its guard holds. */
export type ApprovalRoundMark =
  | { kind: 'reminder'; from: number; to: number }
  | { kind: 'escalation'; at: string; approvers: string[] }
  | { kind: 'resend'; at: string; notBefore: string };

export interface ApprovalRounds {
  /** Records a new round, replacing the purchase's previous one (a re-quote asks again). */
  open(round: Omit<ApprovalRound, 'round' | 'remindersSent'>): Promise<ApprovalRound>;
  get(purchaseId: string): Promise<ApprovalRound | undefined>;
  /** True once any link of the round decided it (its DECISION# claim exists). */
  decided(round: Pick<ApprovalRound, 'purchaseId' | 'round'>): Promise<boolean>;
  /**
   * One conditional write: true for the one caller whose mark applies (same round; reminders
   * counted `from`; not yet escalated; no resend since `notBefore`), false for every other.
   */
  mark(round: Pick<ApprovalRound, 'purchaseId' | 'round'>, change: ApprovalRoundMark): Promise<boolean>;
}

export interface Mail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /**
   * Extra headers procure sets (e.g. `X-Procure-Approval-Link`): data a reader of the mail can
   * trust, unlike anything found in the body, which quotes requester-written text.
   */
  headers?: Record<string, string>;
}
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * Which requester notices a purchase has sent (core/notify-requester.ts): at most one per purchase
 * and key (`<kind>#<status>`), so a retried Lambda does not mail the requester twice.
 */
export interface NoticeLedger {
  /** Conditional write: true for the one caller that claims (purchase, key) first, false for every later one. */
  claim(purchaseId: string, key: string, at: string): Promise<boolean>;
  /** Gives a claim back after its mail could not be sent, so a retry may send it. */
  release(purchaseId: string, key: string): Promise<void>;
}

export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
}

export interface WorkflowStarter {
  /** StartExecution with a deterministic name; an existing execution is reported, not duplicated. */
  start(name: string, input: ExecutionInput): Promise<{ executionArn: string; alreadyExisted: boolean }>;
  describe(executionArn: string): Promise<{ status: string; startDate?: string; stopDate?: string } | undefined>;
}

export interface TaskCallback {
  /** Throws TaskClosedError when the token has expired or the task was already closed. */
  succeed(taskToken: string, output: Record<string, unknown>): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

export interface SecretsProvider {
  getString(secretId: string): Promise<string>;
  getJson<T = Record<string, unknown>>(secretId: string): Promise<T>;
}
