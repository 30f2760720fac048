import type { EventBridgeEvent } from 'aws-lambda';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import { SfnWorkflowStarter } from '../adapters/aws/sfn-workflow-starter';
import { InvalidRequestError, RequestConflictError } from '../core/errors';
import type { EventPublisher } from '../core/ports';
import { rejectRequest, RequestRejectedError, submitPurchase, validRequestIdOf, type SubmitPurchaseDeps } from '../core/submit-purchase';
import { EVENTS, purchaseIdFor } from '../core/workflow';
import { documentClient } from '../shared/aws-clients/dynamodb';
import { eventBridgeClient } from '../shared/aws-clients/eventbridge';
import { sfnClient } from '../shared/aws-clients/sfn';
import { eventsConfig, tablesConfig, workflowConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { lazyHandler } from '../shared/lazy-handler';

/**
 * EventBridge trigger ("License Purchase Requested"): the same intake service as POST /purchases.
 * A request that can never succeed (invalid, or a conflicting requestId) is audited and answered
 * with a "License Purchase Failed" event, and the invocation SUCCEEDS: throwing would make
 * EventBridge retry a poison event. AWS errors do throw; a retry is safe because intake is
 * idempotent per requestId.
 */
export type IntakeDeps = SubmitPurchaseDeps & { events: EventPublisher };

/** What the invocation did (for logs and tests; EventBridge ignores it). */
export type IntakeResult =
  | { outcome: 'accepted'; purchaseId: string; existing: boolean }
  | { outcome: 'rejected'; reason: string; purchaseId: string; requestId?: string };

export function makeHandler(deps: IntakeDeps): (event: EventBridgeEvent<string, unknown>) => Promise<IntakeResult> {
  /**
   * `code` tells consumers this submission was refused at intake: with REQUEST_CONFLICT (and with
   * an invalid repeat of a used requestId) an earlier purchase under the same id is unaffected.
   */
  async function fail(
    code: 'REQUEST_REJECTED' | 'REQUEST_CONFLICT',
    reason: string,
    reasons: string[],
    purchaseId: string,
    requestId?: string,
  ): Promise<IntakeResult> {
    await deps.events.publish(EVENTS.failed, {
      ...(requestId ? { requestId } : {}),
      purchaseId,
      stage: 'intake',
      code,
      reason,
      reasons,
    });
    logger.warn('purchase request event rejected', { purchaseId, reason });
    return { outcome: 'rejected', reason, purchaseId, ...(requestId ? { requestId } : {}) };
  }

  return async (event) => {
    if (event['detail-type'] !== EVENTS.requested) {
      // The rule should never route this here; refuse it the same way as a bad detail.
      const err = new InvalidRequestError(`unexpected detail-type "${event['detail-type']}"`, [
        `detail-type: must be "${EVENTS.requested}"`,
      ]);
      const rejected = await rejectRequest(deps, event.detail, err, 'event');
      return fail('REQUEST_REJECTED', rejected.message, rejected.issues, rejected.auditId, rejected.requestId);
    }
    try {
      const result = await submitPurchase(deps, event.detail, 'event');
      logger.info('purchase request accepted', { purchaseId: result.purchaseId, existing: result.existing });
      return { outcome: 'accepted', purchaseId: result.purchaseId, existing: result.existing };
    } catch (err) {
      if (err instanceof RequestRejectedError) return fail('REQUEST_REJECTED', err.message, err.issues, err.auditId, err.requestId);
      if (err instanceof RequestConflictError) {
        const requestId = validRequestIdOf(event.detail);
        const purchaseId = requestId ? purchaseIdFor(requestId) : 'unknown';
        return fail('REQUEST_CONFLICT', err.message, [err.message], purchaseId, requestId);
      }
      throw err;
    }
  };
}

/** Builds the real dependencies; runs once per cold start. */
export function defaultDeps(): IntakeDeps {
  const tables = tablesConfig();
  const { stateMachineArn } = workflowConfig();
  const events = eventsConfig();
  const doc = documentClient();
  return {
    purchases: new DynamoPurchaseStore(doc, tables.stateTable),
    audit: new DynamoAuditLog(doc, tables.auditTable),
    workflow: new SfnWorkflowStarter(sfnClient(), stateMachineArn),
    events: new EventBridgePublisher(eventBridgeClient(), events.busName, events.source),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
