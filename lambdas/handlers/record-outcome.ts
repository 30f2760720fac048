import { VendorRejectedError } from '../core/errors';
import { budgetRule, renderAttentionMail, resolveCommands, vendorChecks, type AttentionView } from '../core/attention-mail';
import { vendorName } from '../core/approval-page';
import { CLEANUP_STEPS, type CleanupStep } from '../core/cleanup-steps';
import { describeFailure, failureReason, type FailureDescription } from '../core/failure';
import { endOutcomeOf, noticeViewOf, notifyRequester } from '../core/notify-requester';
import type { AuditEntry, AuditLog, CocalcGateway, EventPublisher, Mailer, NoticeLedger, PurchaseRecord, PurchaseStore, SpendGuard } from '../core/ports';
import { wantsNotices } from '../core/purchase-request';
import { EVENTS, type PurchaseStatus, type RecordOutcomePayload, type WorkflowState } from '../core/workflow';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoNoticeLedger } from '../adapters/aws/dynamo-notice-ledger';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { DynamoSpendGuard } from '../adapters/aws/dynamo-spend-guard';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import { SesMailer } from '../adapters/aws/ses-mailer';
import { documentClient } from '../shared/aws-clients/dynamodb';
import { eventBridgeClient } from '../shared/aws-clients/eventbridge';
import { sesClient } from '../shared/aws-clients/sesv2';
import { attentionMailConfig, budgetConfig, eventsConfig, tablesConfig, type AttentionMailConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { redactText } from '../shared/redact';
import { cocalcGateway } from '../composition/cocalc';

/** What RecordOutcome needs. */
export interface RecordOutcomeDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  spendGuard: SpendGuard;
  events: EventPublisher;
  cocalc: () => Promise<CocalcGateway>;
  /** The NEEDS_ATTENTION mail to the approvers, and the requester's notice (from `mail.sender`). */
  mailer: Mailer;
  mail: AttentionMailConfig;
  /** Requester notices already sent: one per purchase and kind. */
  notices: NoticeLedger;
  clock?: () => Date;
}

/** What the purchase ended as. */
export interface RecordedOutcome {
  status: PurchaseStatus;
  reason?: string;
}

/**
 * Audit entry types that end a purchase; their presence makes a retried RecordOutcome a no-op.
 * RESOLVED is a person's finding on a NEEDS_ATTENTION purchase (core/resolve-purchase.ts).
 */
const CLOSED = { completed: 'COMPLETED', notCompleted: 'NOT_COMPLETED', resolved: 'RESOLVED' } as const;
/** Audit entry types of the NEEDS_ATTENTION mail; a sent one is not sent again by a retry. */
export const ATTENTION_MAIL = { sent: 'ATTENTION_MAIL_SENT', failed: 'ATTENTION_MAIL_FAILED' } as const;

/** Errors that say the request itself was wrong: INVALID rather than FAILED. */
const INVALID_ERRORS = new Set([
  'InvalidRequestError',
  'MaxCostExceededError',
  'RequestConflictError',
  'InvalidIpError',
  'InvalidCouponError',
  'InvalidLicenseTypeError',
  'IpNotAllowedError',
]);
/** Step Functions' own timeouts: on the approval task they mean nobody decided in time. */
const TIMEOUT_ERRORS = new Set(['States.Timeout', 'States.HeartbeatTimeout']);
/**
 * Statuses of a purchase whose approval task can have timed out: waiting, or decided by a link
 * whose decision reached the machine too late (the approvals API records the decision before it
 * learns that the task is closed).
 */
const APPROVAL_WAIT_STATUSES = new Set<PurchaseStatus>(['AWAITING_APPROVAL', 'APPROVED', 'REJECTED']);

/**
 * RecordCompleted / RecordNotCompleted. COMPLETED commits the reservation and announces the
 * license. NOT_COMPLETED classifies the end (REJECTED, EXPIRED, INVALID, NEEDS_ATTENTION, FAILED),
 * compensates (deletes our unpurchased CoCalc cart item, releases the reservation), audits every
 * compensation step and announces the outcome.
 *
 * NEEDS_ATTENTION is for "money may have been spent" (an unknown vendor outcome, a purchase step
 * that started and never finished, a cart item found purchased) and for cleanup that could not
 * finish (the vendor down while deleting our cart item): the reservation is NOT released, because
 * the budget must keep counting money that may be gone, and the steps left undone are stored on
 * the purchase as `cleanupPending` for the reconciler. The approvers get a mail saying what to
 * check at the vendor and how to record the finding (`procure resolve`).
 *
 * The requester is told how it ended (core/notify-requester.ts) unless the request opted out; that
 * mail is once per end and can never change the end.
 *
 * Every purchase ends here: a failing compensation step is audited and turns the end into
 * NEEDS_ATTENTION; it never fails the execution. Idempotent (the machine retries it on its own
 * errors): a purchase whose final entry is written is not touched again, every step before it is
 * safe to repeat, and the mail is not sent twice.
 */
export function makeHandler(deps: RecordOutcomeDeps): (payload: RecordOutcomePayload) => Promise<RecordedOutcome> {
  return async ({ outcome, state }) => {
    const trail = await deps.audit.list(state.purchaseId);
    // The latest: a RESOLVED entry follows the NOT_COMPLETED one it settles.
    const closed = [...trail].reverse().find((e) => e.type === CLOSED.completed || e.type === CLOSED.notCompleted || e.type === CLOSED.resolved);
    if (closed) return { status: closed.status, ...(typeof closed.detail?.reason === 'string' ? { reason: closed.detail.reason } : {}) };
    return outcome === 'COMPLETED' ? recordCompleted(deps, state) : recordNotCompleted(deps, state, trail);
  };
}

async function recordCompleted(deps: RecordOutcomeDeps, state: WorkflowState): Promise<RecordedOutcome> {
  const { purchaseId, request } = state;
  const licenseId = state.license?.id ?? state.purchase?.licenseId;
  const amountUsd = state.purchase?.amountUsd ?? state.quote?.amountUsd;
  await deps.spendGuard.commit(purchaseId);
  await deps.events.publish(EVENTS.completed, {
    purchaseId,
    requestId: request.requestId,
    vendor: request.vendor,
    licenseId,
    amountUsd,
    requester: request.requester.email,
  });
  await deps.purchases.update(purchaseId, { status: 'COMPLETED', licenseId, amountUsd });
  const done = noticeViewOf(state, { status: 'COMPLETED', ...(licenseId ? { licenseId } : {}) }, amountUsd);
  await notifyRequester({ ...deps, sender: deps.mail.sender, log: logger }, done, 'COMPLETED', wantsNotices(request));
  await deps.audit.append(purchaseId, {
    type: CLOSED.completed,
    status: 'COMPLETED',
    actor: 'system',
    message: `Purchase completed: ${request.vendor} license ${licenseId ?? '(unknown)'}`,
    detail: { licenseId, amountUsd, reconciled: state.purchase?.reconciled ?? false },
  });
  return { status: 'COMPLETED' };
}

async function recordNotCompleted(deps: RecordOutcomeDeps, state: WorkflowState, trail: AuditEntry[]): Promise<RecordedOutcome> {
  const { purchaseId, request } = state;
  const record = await deps.purchases.get(purchaseId);
  // A person settled it between an earlier attempt's record write and its final entry.
  if (record?.resolution) return { status: record.status, ...(record.reason ? { reason: record.reason } : {}) };
  const failure = state.failure ? describeFailure(state.failure) : undefined;
  let status = classify(state, record, failure);
  let reason = reasonFor(state, record, status);
  const cartItemId = state.cart?.itemId ?? record?.cartItemId;
  const pending: CleanupStep[] = [];
  const cleanupErrors: string[] = [];
  let statusAfterCleanup: PurchaseStatus | undefined;

  if (status !== 'NEEDS_ATTENTION') {
    const cart = await compensateCart(deps, state, cartItemId, status);
    if (cart.ok && cart.outcome === 'purchased') {
      status = 'NEEDS_ATTENTION';
      reason = `${reason}; yet CoCalc reports cart item ${cartItemId} as PURCHASED, so money was spent`;
    } else if (!cart.ok) {
      // The budget stays reserved until the item is proven gone or unpurchased: release follows the delete.
      pending.push(CLEANUP_STEPS.deleteCartItem, CLEANUP_STEPS.releaseReservation);
      cleanupErrors.push(`${CLEANUP_STEPS.deleteCartItem}: ${cart.error}`);
    }
  }
  if (status !== 'NEEDS_ATTENTION' && pending.length === 0) {
    const released = await compensate(deps, purchaseId, status, CLEANUP_STEPS.releaseReservation, async () => {
      await deps.spendGuard.release(purchaseId);
      return 'released';
    });
    if (!released.ok) {
      pending.push(CLEANUP_STEPS.releaseReservation);
      cleanupErrors.push(`${CLEANUP_STEPS.releaseReservation}: ${released.error}`);
    }
  }
  if (pending.length) {
    statusAfterCleanup = status;
    status = 'NEEDS_ATTENTION';
    reason = `${reason}; then cleanup did not finish (${cleanupErrors.join('; ')})`;
  }

  const attention = status === 'NEEDS_ATTENTION';
  const endedAt = (deps.clock ?? (() => new Date()))().toISOString();
  const view: AttentionView | undefined = attention ? attentionView(deps, state, record, { reason, pending, statusAfterCleanup, endedAt }) : undefined;
  if (attention) logger.error('purchase needs attention', { purchaseId, reason, cleanupPending: pending });

  // The record first: `procure resolve` accepts only a purchase recorded NEEDS_ATTENTION, so it
  // must be one by the time the mail arrives.
  await deps.purchases.update(purchaseId, {
    status,
    reason,
    ...(pending.length || record?.cleanupPending?.length ? { cleanupPending: pending } : {}),
    ...(attention && cartItemId !== undefined ? { cartItemId } : {}),
  });
  if (view) await sendAttentionMail(deps, view, trail);
  const ended = noticeViewOf(state, endOutcomeOf(state, status, failure?.error, redactText));
  await notifyRequester({ ...deps, sender: deps.mail.sender, log: logger }, ended, status, wantsNotices(request));
  await deps.events.publish(status === 'REJECTED' ? EVENTS.rejected : EVENTS.failed, {
    purchaseId,
    requestId: request.requestId,
    vendor: request.vendor,
    status,
    reason,
    amountUsd: state.quote?.amountUsd,
    requester: request.requester.email,
    ...(view ? attentionEventDetail(view) : {}),
  });
  await deps.audit.append(purchaseId, {
    type: CLOSED.notCompleted,
    status,
    actor: 'system',
    message: view ? attentionMessage(view) : `Purchase ${status.toLowerCase()}: ${reason}`,
    detail: {
      reason,
      ...(failure ? { error: failure.error } : {}),
      budgetReleased: !attention,
      ...(pending.length ? { cleanupPending: pending, statusAfterCleanup } : {}),
    },
  });
  return { status, reason };
}

/**
 * The end state. Money first: whenever a vendor purchase may have happened the answer is
 * NEEDS_ATTENTION, whatever the error says, because only a human can tell.
 */
function classify(state: WorkflowState, record: PurchaseRecord | undefined, failure: FailureDescription | undefined): PurchaseStatus {
  if (failure?.error === 'PurchaseOutcomeUnknownError' || purchaseStarted(state, record)) return 'NEEDS_ATTENTION';
  if (state.approval?.decision === 'REJECTED') return 'REJECTED';
  // Only the approval task's timeout means "nobody decided"; a step's own Lambda timeout is a failure.
  // Without $.approval the machine never received a decision, whatever the record says. In a second
  // round (the vendor's total moved, $.mismatch) $.approval still holds the first round's decision:
  // then a record still AWAITING_APPROVAL says the second round went unanswered.
  const undecided = !state.approval || (state.mismatch !== undefined && record?.status === 'AWAITING_APPROVAL');
  if (failure && TIMEOUT_ERRORS.has(failure.error) && undecided && record && APPROVAL_WAIT_STATUSES.has(record.status)) return 'EXPIRED';
  if (failure && INVALID_ERRORS.has(failure.error)) return 'INVALID';
  return 'FAILED';
}

function purchaseStarted(state: WorkflowState, record: PurchaseRecord | undefined): boolean {
  return (
    record?.status === 'PURCHASING' ||
    record?.status === 'PURCHASED' ||
    record?.licenseId !== undefined ||
    record?.invoice !== undefined ||
    state.purchase !== undefined
  );
}

/** Why the purchase ended as `status`, in words that are true of what procure knows. */
function reasonFor(state: WorkflowState, record: PurchaseRecord | undefined, status: PurchaseStatus): string {
  const failed = state.failure ? failureReason(state.failure) : undefined;
  if (status === 'REJECTED' && state.approval) {
    return `rejected by ${state.approval.approver}${state.approval.comment ? `: ${state.approval.comment}` : ''}`;
  }
  if (status === 'EXPIRED') return `nobody decided on the approval in time (${failureReason(state.failure)})`;
  if (status === 'NEEDS_ATTENTION' && describeFailure(state.failure).error !== 'PurchaseOutcomeUnknownError') {
    const vendor = vendorName(state.request.vendor);
    const licenseId = state.purchase?.licenseId ?? record?.licenseId;
    const after = failed ? `: ${failed}` : '';
    if (licenseId) return `${vendor} license ${licenseId} was bought, but the workflow failed after the purchase${after}`;
    if (record?.status === 'PURCHASING') return `the ${vendor} purchase call started and did not report an outcome${after}`;
    const invoice = state.purchase?.invoice ?? record?.invoice;
    return `the ${vendor} purchase went through${invoice ? ` (invoice ${invoice})` : ''} without naming a license, and the workflow failed after it${after}`;
  }
  return failed ?? 'the purchase did not complete';
}

type StepResult<T> = { ok: true; outcome: T } | { ok: false; error: string };

/**
 * Deletes our CoCalc cart item unless it was bought. The vendor deletes only unpurchased items, so
 * delete first and look only when nothing was deleted: no window in which we look, then delete.
 */
async function compensateCart(
  deps: RecordOutcomeDeps,
  state: WorkflowState,
  itemId: number | undefined,
  status: PurchaseStatus,
): Promise<StepResult<'none' | 'deleted' | 'gone' | 'purchased'>> {
  if (state.request.vendor !== 'cocalc' || itemId === undefined) return { ok: true, outcome: 'none' };
  return compensate(deps, state.purchaseId, status, CLEANUP_STEPS.deleteCartItem, async () => {
    const gateway = await deps.cocalc();
    if (await gateway.deleteFromCart(itemId)) return 'deleted';
    try {
      const item = await gateway.getCartItem(itemId);
      if (item.purchased) return 'purchased';
    } catch (err) {
      if (err instanceof VendorRejectedError && /no item with id/i.test(err.message)) return 'gone';
      throw err;
    }
    throw new Error(`CoCalc cart item ${itemId} is neither deleted nor purchased`);
  }, { cartItemId: itemId });
}

/**
 * Runs one compensation step and audits its outcome. A failure is audited (COMPENSATION_FAILED)
 * and returned, not thrown: the caller turns it into NEEDS_ATTENTION with the step pending.
 */
async function compensate<T extends string>(
  deps: RecordOutcomeDeps,
  purchaseId: string,
  status: PurchaseStatus,
  step: CleanupStep,
  run: () => Promise<T>,
  detail: Record<string, unknown> = {},
): Promise<StepResult<T>> {
  let outcome: T;
  try {
    outcome = await run();
  } catch (err) {
    const error = `${(err as Error).name}: ${(err as Error).message}`;
    await deps.audit.append(purchaseId, {
      type: 'COMPENSATION_FAILED',
      status,
      actor: 'system',
      message: `Compensation ${step} failed (left to the reconciler): ${(err as Error).message}`,
      detail: { step, error: (err as Error).name, ...detail },
    });
    return { ok: false, error };
  }
  await deps.audit.append(purchaseId, {
    type: 'COMPENSATED',
    status,
    actor: 'system',
    message: `Compensation ${step}: ${outcome}`,
    detail: { step, outcome, ...detail },
  });
  return { ok: true, outcome };
}

function attentionView(
  deps: RecordOutcomeDeps,
  state: WorkflowState,
  record: PurchaseRecord | undefined,
  end: { reason: string; pending: CleanupStep[]; statusAfterCleanup: PurchaseStatus | undefined; endedAt: string },
): AttentionView {
  const { request } = state;
  const amountUsd = state.purchase?.amountUsd ?? state.quote?.amountUsd ?? record?.amountUsd;
  const cartItemId = state.cart?.itemId ?? state.purchase?.cartItemId ?? record?.cartItemId;
  const licenseId = state.purchase?.licenseId ?? record?.licenseId;
  const invoice = state.purchase?.invoice ?? record?.invoice;
  return {
    purchaseId: state.purchaseId,
    requestId: request.requestId,
    vendor: request.vendor,
    requester: { name: request.requester.name, email: request.requester.email },
    // Vendor messages are written without secrets; this drops anything token-like regardless.
    reason: redactText(end.reason),
    cleanupPending: end.pending,
    receivedAt: state.receivedAt,
    endedAt: end.endedAt,
    apiUrl: deps.mail.apiUrl,
    ...(amountUsd !== undefined ? { amountUsd } : {}),
    ...(state.quote?.summary ? { item: state.quote.summary } : {}),
    ...(cartItemId !== undefined ? { cartItemId } : {}),
    ...(licenseId ? { licenseId } : {}),
    ...(invoice !== undefined ? { invoice } : {}),
    ...(request.vendor === 'interserver' ? { interserver: { ip: request.item.ip, licenseType: request.item.licenseType } } : {}),
    ...(end.statusAfterCleanup ? { statusAfterCleanup: end.statusAfterCleanup } : {}),
  };
}

/** The closing audit entry's message: loud, with the budget rule and the way to settle it. */
function attentionMessage(view: AttentionView): string {
  const { bought, notBought } = resolveCommands({ purchaseId: view.purchaseId, ...(view.licenseId ? { licenseId: view.licenseId } : {}) });
  const cleanup = view.cleanupPending.length ? ` Cleanup left to the reconciler: ${view.cleanupPending.join(', ')}.` : '';
  return (
    `ATTENTION: MONEY MAY HAVE BEEN SPENT. ${view.reason}. ${budgetRule(view)}${cleanup} ` +
    `Check the ${vendorName(view.vendor)} account, then record the finding: ${bought} | ${notBought}`
  );
}

/** The failed event's extra fields for NEEDS_ATTENTION: what to check and how to settle it. */
function attentionEventDetail(view: AttentionView): Record<string, unknown> {
  return {
    check: vendorChecks(view),
    resolve: resolveCommands(view),
    ...(view.cleanupPending.length ? { cleanupPending: view.cleanupPending } : {}),
    ...(view.cartItemId !== undefined ? { cartItemId: view.cartItemId } : {}),
    ...(view.licenseId ? { licenseId: view.licenseId } : {}),
    ...(view.invoice !== undefined ? { invoice: view.invoice } : {}),
  };
}

/**
 * Mails the approvers once per purchase. A mail that cannot be sent is audited and logged, and the
 * purchase still ends: the event and the audit trail carry the same facts.
 */
async function sendAttentionMail(deps: RecordOutcomeDeps, view: AttentionView, trail: AuditEntry[]): Promise<void> {
  if (trail.some((e) => e.type === ATTENTION_MAIL.sent)) return;
  const to = deps.mail.approvers;
  try {
    if (to.length === 0) throw new Error('no approvers are configured');
    await deps.mailer.send(renderAttentionMail(view, { from: deps.mail.sender, to }));
  } catch (err) {
    logger.error('the NEEDS_ATTENTION mail could not be sent', { purchaseId: view.purchaseId, error: err as Error });
    await deps.audit.append(view.purchaseId, {
      type: ATTENTION_MAIL.failed,
      status: 'NEEDS_ATTENTION',
      actor: 'system',
      message: `The NEEDS_ATTENTION mail to the approvers could not be sent: ${(err as Error).message}`,
      detail: { to, error: (err as Error).name },
    });
    return;
  }
  await deps.audit.append(view.purchaseId, {
    type: ATTENTION_MAIL.sent,
    status: 'NEEDS_ATTENTION',
    actor: 'system',
    message: `Mailed ${to.length} approver(s): what to check at ${vendorName(view.vendor)} and how to resolve`,
    detail: { to },
  });
}

/** Production wiring, once per cold start. */
export function defaultDeps(): RecordOutcomeDeps {
  const tables = tablesConfig();
  const events = eventsConfig();
  const doc = documentClient();
  return {
    audit: new DynamoAuditLog(doc, tables.auditTable),
    purchases: new DynamoPurchaseStore(doc, tables.stateTable),
    spendGuard: new DynamoSpendGuard(doc, tables.stateTable, budgetConfig()),
    events: new EventBridgePublisher(eventBridgeClient(), events.busName, events.source),
    cocalc: () => cocalcGateway(),
    mailer: new SesMailer(sesClient()),
    mail: attentionMailConfig(),
    notices: new DynamoNoticeLedger(doc, tables.stateTable),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
