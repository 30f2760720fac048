import { InvalidRequestError, RequestConflictError } from './errors';
import type { EventPublisher } from './ports';
import { rejectRequest, RequestRejectedError, submitPurchase, validRequestIdOf, type SubmitPurchaseDeps } from './submit-purchase';
import { EVENTS, purchaseIdFor } from './workflow';

/**
 * The EventBridge trigger ("License Purchase Requested"): the same intake service as POST
 * /purchases (submit-purchase.ts). A request that can never succeed (invalid, or a conflicting
 * requestId) is audited and answered with a "License Purchase Failed" event, and the invocation
 * SUCCEEDS: throwing would make EventBridge retry a poison event. AWS errors do throw; a retry is
 * safe because intake is idempotent per requestId.
 */
export type IntakeDeps = SubmitPurchaseDeps & { events: EventPublisher };

/** Where intake logs what it accepted and refused (structurally the shared logger, lambdas/shared/logger.ts). */
export interface IntakeLog {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
}

/** What the invocation did (for logs and tests; EventBridge ignores it). */
export type IntakeResult =
  | { outcome: 'accepted'; purchaseId: string; existing: boolean }
  | { outcome: 'rejected'; reason: string; purchaseId: string; requestId?: string };

/**
 * A refusal at intake, as the failed event carries it. `code` tells consumers this submission was
 * refused at intake: with REQUEST_CONFLICT (and with an invalid repeat of a used requestId) an
 * earlier purchase under the same id is unaffected.
 */
export interface IntakeRefusal {
  code: 'REQUEST_REJECTED' | 'REQUEST_CONFLICT';
  reason: string;
  reasons: string[];
  purchaseId: string;
  requestId?: string;
}

/** The refusal an intake error stands for, or undefined for an error to throw (AWS, bugs). */
export function refusalOf(err: unknown, detail: unknown): IntakeRefusal | undefined {
  if (err instanceof RequestRejectedError) {
    return {
      code: 'REQUEST_REJECTED',
      reason: err.message,
      reasons: err.issues,
      purchaseId: err.auditId,
      ...(err.requestId ? { requestId: err.requestId } : {}),
    };
  }
  if (err instanceof RequestConflictError) {
    const requestId = validRequestIdOf(detail);
    return {
      code: 'REQUEST_CONFLICT',
      reason: err.message,
      reasons: [err.message],
      purchaseId: requestId ? purchaseIdFor(requestId) : 'unknown',
      ...(requestId ? { requestId } : {}),
    };
  }
  return undefined;
}

/** One purchase request event: `detailType` and `detail` as EventBridge delivers them. */
export async function receivePurchaseEvent(deps: IntakeDeps & { log: IntakeLog }, detailType: string, detail: unknown): Promise<IntakeResult> {
  async function fail(refusal: IntakeRefusal): Promise<IntakeResult> {
    const { code, reason, reasons, purchaseId, requestId } = refusal;
    await deps.events.publish(EVENTS.failed, { ...(requestId ? { requestId } : {}), purchaseId, stage: 'intake', code, reason, reasons });
    deps.log.warn('purchase request event rejected', { purchaseId, reason });
    return { outcome: 'rejected', reason, purchaseId, ...(requestId ? { requestId } : {}) };
  }

  if (detailType !== EVENTS.requested) {
    // The rule should never route this here; refuse it the same way as a bad detail.
    const err = new InvalidRequestError(`unexpected detail-type "${detailType}"`, [`detail-type: must be "${EVENTS.requested}"`]);
    return fail(refusalOf(await rejectRequest(deps, detail, err, 'event'), detail)!);
  }
  try {
    const result = await submitPurchase(deps, detail, 'event');
    deps.log.info('purchase request accepted', { purchaseId: result.purchaseId, existing: result.existing });
    return { outcome: 'accepted', purchaseId: result.purchaseId, existing: result.existing };
  } catch (err) {
    const refusal = refusalOf(err, detail);
    if (refusal) return fail(refusal);
    throw err;
  }
}
