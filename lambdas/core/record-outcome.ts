import type { AttentionView } from './attention-mail';
import { CLEANUP_STEPS } from './cleanup-steps';
import { describeFailure } from './failure';
import type { StepLog } from './money-step';
import { endOutcomeOf, noticeViewOf, notifyRequester } from './notify-requester';
import { attentionEventDetail, attentionMessage, attentionView, sendAttentionMail, type AttentionMailSettings } from './outcome-attention';
import { compensate, compensateCart } from './outcome-compensation';
import { classifyEnd, CLOSED, compensateEnd, reasonForEnd, recordedEnd, startEnd, type RecordedOutcome } from './outcome-rules';
import type { AuditEntry, EventPublisher, Mailer, NoticeLedger, SpendGuard } from './ports';
import { recordStep, type PurchaseJournal } from './purchase-journal';
import { wantsNotices } from './purchase-request';
import { withRecordedQuote } from './recorded-quote';
import { type LeftoversByVendor, leftoverNoun } from './vendor-leftovers';
import { heldItemOf } from './held-item';
import { vendorLabel } from './vendor-names';
import { EVENTS, type RecordOutcomePayload, type WorkflowState } from './workflow';

export type { RecordedOutcome } from './outcome-rules';

/** What RecordOutcome needs. */
export interface RecordOutcomeDeps extends PurchaseJournal {
  spendGuard: SpendGuard;
  events: EventPublisher;
  /** What each vendor's preparation left before approval, to take back (CoCalc: its cart item). */
  leftovers: LeftoversByVendor;
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

/**
 * RecordCompleted / RecordNotCompleted. COMPLETED commits the reservation and announces the
 * license. NOT_COMPLETED classifies the end (REJECTED, EXPIRED, INVALID, NEEDS_ATTENTION, FAILED),
 * compensates (takes back what the vendor's preparation left unless it was bought, CoCalc's cart
 * item; releases the reservation), audits every compensation step and announces the outcome.
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
  return outcome === 'COMPLETED' ? recordCompleted(deps, state) : recordNotCompleted(deps, withRecordedQuote(state, trail), trail);
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
  const done = noticeViewOf(state, { status: 'COMPLETED', ...(licenseId ? { licenseId } : {}) }, amountUsd);
  await notifyRequester({ ...deps, sender: deps.mail.sender, log: deps.log }, done, 'COMPLETED', wantsNotices(request));
  // The status and the final entry together (one call with a step journal): from then on the
  // purchase is closed, and a retry of this step touches nothing.
  await recordStep(
    deps,
    purchaseId,
    {
      type: CLOSED.completed,
      status: 'COMPLETED',
      message: `Purchase completed: ${request.vendor} license ${licenseId ?? '(unknown)'}`,
      detail: { licenseId, amountUsd, reconciled: state.purchase?.reconciled ?? false },
    },
    { licenseId, amountUsd },
  );
  return { status: 'COMPLETED' };
}

async function recordNotCompleted(deps: Deps, state: WorkflowState, trail: AuditEntry[]): Promise<RecordedOutcome> {
  const { purchaseId, request } = state;
  const record = await deps.purchases.get(purchaseId);
  // A person settled it between an earlier attempt's record write and its final entry.
  if (record?.resolution) return { status: record.status, ...(record.reason ? { reason: record.reason } : {}) };
  const failure = state.failure ? describeFailure(state.failure) : undefined;
  const classified = classifyEnd(state, record, failure);
  const cartItemId = heldItemOf(state, record);
  // How the vendor calls what its preparation left (its leftovers' noun), for the reason and the mail
  // (the mail's own default when the vendor names none).
  const noun = deps.leftovers[request.vendor]?.noun;
  const { status, reason, pending, statusAfterCleanup } = await compensateEnd(
    startEnd(classified, reasonForEnd(state, record, classified)),
    {
      takeBack: (now) => compensateCart(deps, state, cartItemId, now),
      release: (now) =>
        compensate(deps, purchaseId, now, CLEANUP_STEPS.releaseReservation, async () => {
          await deps.spendGuard.release(purchaseId);
          return 'released';
        }),
    },
    { vendor: vendorLabel(request.vendor), noun: leftoverNoun(deps.leftovers, request.vendor), id: cartItemId },
  );
  const attention = status === 'NEEDS_ATTENTION';
  const endedAt = (deps.clock ?? (() => new Date()))().toISOString();
  const view: AttentionView | undefined = attention
    ? attentionView(deps, state, record, { reason, pending, statusAfterCleanup, endedAt, ...(noun ? { itemNoun: noun } : {}) })
    : undefined;
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
