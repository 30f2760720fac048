import { VendorRejectedError } from '../core/errors';
import { describeFailure, failureReason, type FailureDescription } from '../core/failure';
import type { AuditLog, CocalcGateway, EventPublisher, PurchaseRecord, PurchaseStore, SpendGuard } from '../core/ports';
import { EVENTS, type PurchaseStatus, type RecordOutcomePayload, type WorkflowState } from '../core/workflow';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { DynamoSpendGuard } from '../adapters/aws/dynamo-spend-guard';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import { documentClient, eventBridgeClient } from '../shared/aws-clients';
import { budgetConfig, eventsConfig, tablesConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { vendorGateways } from '../shared/vendor-gateways';

/** What RecordOutcome needs. */
export interface RecordOutcomeDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  spendGuard: SpendGuard;
  events: EventPublisher;
  cocalc: () => Promise<CocalcGateway>;
}

/** What the purchase ended as. */
export interface RecordedOutcome {
  status: PurchaseStatus;
  reason?: string;
}

/** Final audit entry types; their presence makes a retried RecordOutcome a no-op. */
const CLOSED = { completed: 'COMPLETED', notCompleted: 'NOT_COMPLETED' } as const;

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
 * that started and never finished, a cart item found purchased): the reservation is NOT released
 * and the cart item is NOT deleted, because the budget must keep counting money that may be gone.
 *
 * Idempotent (the machine retries it): a purchase whose final entry is written is not touched
 * again, and every step before it is safe to repeat. A failing compensation step is audited and
 * rethrown, never swallowed.
 */
export function makeHandler(deps: RecordOutcomeDeps): (payload: RecordOutcomePayload) => Promise<RecordedOutcome> {
  return async ({ outcome, state }) => {
    const closed = (await deps.audit.list(state.purchaseId)).find(
      (e) => e.type === CLOSED.completed || e.type === CLOSED.notCompleted,
    );
    if (closed) return { status: closed.status, ...(typeof closed.detail?.reason === 'string' ? { reason: closed.detail.reason } : {}) };
    return outcome === 'COMPLETED' ? recordCompleted(deps, state) : recordNotCompleted(deps, state);
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
  await deps.audit.append(purchaseId, {
    type: CLOSED.completed,
    status: 'COMPLETED',
    actor: 'system',
    message: `Purchase completed: ${request.vendor} license ${licenseId ?? '(unknown)'}`,
    detail: { licenseId, amountUsd, reconciled: state.purchase?.reconciled ?? false },
  });
  return { status: 'COMPLETED' };
}

async function recordNotCompleted(deps: RecordOutcomeDeps, state: WorkflowState): Promise<RecordedOutcome> {
  const { purchaseId, request } = state;
  const record = await deps.purchases.get(purchaseId);
  const failure = state.failure ? describeFailure(state.failure) : undefined;
  let status = classify(state, record, failure);
  let reason = reasonFor(state, status);

  if (status !== 'NEEDS_ATTENTION') {
    const cartOutcome = await compensateCart(deps, state, record, status);
    if (cartOutcome === 'purchased') {
      status = 'NEEDS_ATTENTION';
      reason = `${reason}; but the CoCalc cart item was found PURCHASED`;
    }
  }
  if (status !== 'NEEDS_ATTENTION') {
    await compensate(deps, purchaseId, status, 'release-reservation', async () => {
      await deps.spendGuard.release(purchaseId);
      return 'released';
    });
  }

  const attention = status === 'NEEDS_ATTENTION';
  if (attention) {
    logger.error('purchase needs attention: money may have been spent', { purchaseId, reason });
  }
  await deps.events.publish(status === 'REJECTED' ? EVENTS.rejected : EVENTS.failed, {
    purchaseId,
    requestId: request.requestId,
    vendor: request.vendor,
    status,
    reason,
    amountUsd: state.quote?.amountUsd,
    requester: request.requester.email,
  });
  await deps.purchases.update(purchaseId, { status, reason });
  await deps.audit.append(purchaseId, {
    type: CLOSED.notCompleted,
    status,
    actor: 'system',
    message: attention
      ? `ATTENTION: MONEY MAY HAVE BEEN SPENT. ${reason}. The budget reservation is KEPT and the cart item is left in place; ` +
        `check the ${request.vendor} account and settle this purchase by hand.`
      : `Purchase ${status.toLowerCase()}: ${reason}`,
    detail: { reason, ...(failure ? { error: failure.error } : {}), budgetReleased: !attention },
  });
  return { status, reason };
}

/**
 * The end state. Money first: whenever a vendor purchase may have happened the answer is
 * NEEDS_ATTENTION, whatever the error says, because only a human can tell.
 */
function classify(state: WorkflowState, record: PurchaseRecord | undefined, failure: FailureDescription | undefined): PurchaseStatus {
  const purchaseStarted =
    record?.status === 'PURCHASING' ||
    record?.status === 'PURCHASED' ||
    record?.licenseId !== undefined ||
    record?.invoice !== undefined ||
    state.purchase !== undefined;
  if (failure?.error === 'PurchaseOutcomeUnknownError' || purchaseStarted) return 'NEEDS_ATTENTION';
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

function reasonFor(state: WorkflowState, status: PurchaseStatus): string {
  if (status === 'REJECTED' && state.approval) {
    return `rejected by ${state.approval.approver}${state.approval.comment ? `: ${state.approval.comment}` : ''}`;
  }
  if (status === 'EXPIRED') return `nobody decided on the approval in time (${failureReason(state.failure)})`;
  return state.failure ? failureReason(state.failure) : 'the purchase did not complete';
}

/**
 * Deletes our CoCalc cart item unless it was bought. The vendor deletes only unpurchased items, so
 * delete first and look only when nothing was deleted: no window in which we look, then delete.
 */
async function compensateCart(
  deps: RecordOutcomeDeps,
  state: WorkflowState,
  record: PurchaseRecord | undefined,
  status: PurchaseStatus,
): Promise<'none' | 'deleted' | 'gone' | 'purchased'> {
  const itemId = state.cart?.itemId ?? record?.cartItemId;
  if (state.request.vendor !== 'cocalc' || itemId === undefined) return 'none';
  return compensate(deps, state.purchaseId, status, 'delete-cart-item', async () => {
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

/** Runs one compensation step and audits its outcome; a failure is audited and rethrown. */
async function compensate<T extends string>(
  deps: RecordOutcomeDeps,
  purchaseId: string,
  status: PurchaseStatus,
  step: string,
  run: () => Promise<T>,
  detail: Record<string, unknown> = {},
): Promise<T> {
  try {
    const outcome = await run();
    await deps.audit.append(purchaseId, {
      type: 'COMPENSATED',
      status,
      actor: 'system',
      message: `Compensation ${step}: ${outcome}`,
      detail: { step, outcome, ...detail },
    });
    return outcome;
  } catch (err) {
    await deps.audit.append(purchaseId, {
      type: 'COMPENSATION_FAILED',
      status,
      actor: 'system',
      message: `Compensation ${step} failed (will be retried): ${(err as Error).message}`,
      detail: { step, error: (err as Error).name, ...detail },
    });
    throw err;
  }
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
    cocalc: () => vendorGateways().cocalc(),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
