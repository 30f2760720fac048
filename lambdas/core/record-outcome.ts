import { AUDIT } from './audit-kinds';
import { VendorRejectedError } from './errors';
import { budgetRule, renderAttentionMail, resolveCommands, vendorChecks, type AttentionView } from './attention-mail';
import { vendorName } from './approval-page';
import { CLEANUP_STEPS, type CleanupStep } from './cleanup-steps';
import { describeFailure } from './failure';
import type { StepLog } from './money-step';
import { endOutcomeOf, noticeViewOf, notifyRequester } from './notify-requester';
import {
  afterCartCleanup,
  afterRelease,
  classifyEnd,
  cleansCart,
  CLOSED,
  finalEnd,
  reasonForEnd,
  recordedEnd,
  releasesBudget,
  startEnd,
  type CartCleanup,
  type RecordedOutcome,
  type StepResult,
} from './outcome-rules';
import type { AuditEntry, AuditLog, CocalcGateway, EventPublisher, Mailer, NoticeLedger, PurchaseRecord, PurchaseStore, SpendGuard } from './ports';
import { wantsNotices } from './purchase-request';
import { EVENTS, type PurchaseStatus, type RecordOutcomePayload, type WorkflowState } from './workflow';

export type { RecordedOutcome } from './outcome-rules';

/** Who the NEEDS_ATTENTION mail goes to and from, and the API address its commands name. */
export interface AttentionMailSettings {
  approvers: string[];
  sender: string;
  apiUrl: string;
}

/** What RecordOutcome needs. */
export interface RecordOutcomeDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  spendGuard: SpendGuard;
  events: EventPublisher;
  cocalc: () => Promise<CocalcGateway>;
  /** The NEEDS_ATTENTION mail to the approvers, and the requester's notice (from `mail.sender`). */
  mailer: Mailer;
  mail: AttentionMailSettings;
  /** Requester notices already sent: one per purchase and kind. */
  notices: NoticeLedger;
  clock?: () => Date;
}

/** What the use case needs besides its ports: where to log, and how to scrub text that may carry a secret. */
export interface RecordOutcomeRuntime {
  log: StepLog;
  /** Removes link signatures and token-like runs from free text. */
  redactText: (text: string) => string;
}

type Deps = RecordOutcomeDeps & RecordOutcomeRuntime;

/** Audit entry types of the NEEDS_ATTENTION mail; a sent one is not sent again by a retry. */
export const ATTENTION_MAIL = { sent: AUDIT.attentionMailSent, failed: AUDIT.attentionMailFailed } as const;

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
 * safe to repeat, and the mail is not sent twice. The decisions are in outcome-rules.ts.
 */
export async function recordOutcome(deps: Deps, { outcome, state }: RecordOutcomePayload): Promise<RecordedOutcome> {
  const trail = await deps.audit.list(state.purchaseId);
  const closed = recordedEnd(trail);
  if (closed) return closed;
  return outcome === 'COMPLETED' ? recordCompleted(deps, state) : recordNotCompleted(deps, state, trail);
}

async function recordCompleted(deps: Deps, state: WorkflowState): Promise<RecordedOutcome> {
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
  await notifyRequester({ ...deps, sender: deps.mail.sender, log: deps.log }, done, 'COMPLETED', wantsNotices(request));
  await deps.audit.append(purchaseId, {
    type: CLOSED.completed,
    status: 'COMPLETED',
    actor: 'system',
    message: `Purchase completed: ${request.vendor} license ${licenseId ?? '(unknown)'}`,
    detail: { licenseId, amountUsd, reconciled: state.purchase?.reconciled ?? false },
  });
  return { status: 'COMPLETED' };
}

async function recordNotCompleted(deps: Deps, state: WorkflowState, trail: AuditEntry[]): Promise<RecordedOutcome> {
  const { purchaseId, request } = state;
  const record = await deps.purchases.get(purchaseId);
  // A person settled it between an earlier attempt's record write and its final entry.
  if (record?.resolution) return { status: record.status, ...(record.reason ? { reason: record.reason } : {}) };
  const failure = state.failure ? describeFailure(state.failure) : undefined;
  const classified = classifyEnd(state, record, failure);
  let end = startEnd(classified, reasonForEnd(state, record, classified));
  const cartItemId = state.cart?.itemId ?? record?.cartItemId;
  if (cleansCart(end)) end = afterCartCleanup(end, await compensateCart(deps, state, cartItemId, end.status), cartItemId);
  if (releasesBudget(end)) {
    const released = await compensate(deps, purchaseId, end.status, CLEANUP_STEPS.releaseReservation, async () => {
      await deps.spendGuard.release(purchaseId);
      return 'released';
    });
    end = afterRelease(end, released);
  }
  const { status, reason, pending, statusAfterCleanup } = finalEnd(end);
  const attention = status === 'NEEDS_ATTENTION';
  const endedAt = (deps.clock ?? (() => new Date()))().toISOString();
  const view: AttentionView | undefined = attention ? attentionView(deps, state, record, { reason, pending, statusAfterCleanup, endedAt }) : undefined;
  if (attention) deps.log.error('purchase needs attention', { purchaseId, reason, cleanupPending: pending });

  // The record first: `procure resolve` accepts only a purchase recorded NEEDS_ATTENTION, so it
  // must be one by the time the mail arrives.
  await deps.purchases.update(purchaseId, {
    status,
    reason,
    ...(pending.length || record?.cleanupPending?.length ? { cleanupPending: pending } : {}),
    ...(attention && cartItemId !== undefined ? { cartItemId } : {}),
  });
  if (view) await sendAttentionMail(deps, view, trail);
  const ended = noticeViewOf(state, endOutcomeOf(state, status, failure?.error, deps.redactText));
  await notifyRequester({ ...deps, sender: deps.mail.sender, log: deps.log }, ended, status, wantsNotices(request));
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
 * Deletes our CoCalc cart item unless it was bought. The vendor deletes only unpurchased items, so
 * delete first and look only when nothing was deleted: no window in which we look, then delete.
 */
async function compensateCart(deps: Deps, state: WorkflowState, itemId: number | undefined, status: PurchaseStatus): Promise<StepResult<CartCleanup>> {
  if (state.request.vendor !== 'cocalc' || itemId === undefined) return { ok: true, outcome: 'none' };
  return compensate(
    deps,
    state.purchaseId,
    status,
    CLEANUP_STEPS.deleteCartItem,
    async () => {
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
    },
    { cartItemId: itemId },
  );
}

/**
 * Runs one compensation step and audits its outcome. A failure is audited (COMPENSATION_FAILED)
 * and returned, not thrown: the caller turns it into NEEDS_ATTENTION with the step pending.
 */
async function compensate<T extends string>(
  deps: Deps,
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
  deps: Deps,
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
    reason: deps.redactText(end.reason),
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
async function sendAttentionMail(deps: Deps, view: AttentionView, trail: AuditEntry[]): Promise<void> {
  if (trail.some((e) => e.type === ATTENTION_MAIL.sent)) return;
  const to = deps.mail.approvers;
  try {
    if (to.length === 0) throw new Error('no approvers are configured');
    await deps.mailer.send(renderAttentionMail(view, { from: deps.mail.sender, to }));
  } catch (err) {
    deps.log.error('the NEEDS_ATTENTION mail could not be sent', { purchaseId: view.purchaseId, error: err as Error });
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
