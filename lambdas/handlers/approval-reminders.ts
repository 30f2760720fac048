import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { sweepApprovalRounds, type FollowUpDeps, type FollowUpReport } from '../core/approval-follow-up';
import { isPurchaseId } from '../core/purchase-status';
import { approvalFollowUpDeps } from '../composition/approval-follow-up';
import { ApprovalNotPendingError, resendApproval, ResendTooSoonError, ResendUnknownPurchaseError } from '../core/resend-approval';
import { errorResponse, iamCaller, json } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';

/**
 * ApprovalReminders: the follow-ups of open approval rounds (core/approval-follow-up.ts).
 *   scheduled (EventBridge Scheduler on AWS, a timer locally)  reminders and escalations now due
 *   POST /purchases/{id}/approvals/resend (IAM)                fresh links to everyone asked so far
 * One function for both because both do one thing: mint fresh links to an open round and mail
 * them. A scheduler rather than Wait states in the machine: the round's task token is already
 * stored server-side, so links can be added without touching an execution, a changed reminder
 * policy applies to purchases already waiting, and no Lambda (or state) sleeps.
 */

function isApiEvent(event: unknown): event is APIGatewayProxyEvent {
  return typeof event === 'object' && event !== null && typeof (event as { httpMethod?: unknown }).httpMethod === 'string';
}

export function makeHandler(deps: FollowUpDeps): (event: unknown) => Promise<APIGatewayProxyResult | FollowUpReport> {
  async function resend(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const id = event.pathParameters?.id;
    if (event.httpMethod.toUpperCase() !== 'POST') return json(405, { error: 'MethodNotAllowed', message: 'use POST' });
    if (!isPurchaseId(id)) return json(404, { error: 'NotFound', message: 'purchase not found' });
    const actor = iamCaller(event);
    // The audit entry must name who asked; an IAM route always has one, so this is a misconfiguration.
    if (!actor) return json(403, { error: 'Forbidden', message: 'a resend needs an IAM-signed caller' });
    try {
      return json(200, await resendApproval(deps, id, actor));
    } catch (err) {
      if (err instanceof ResendUnknownPurchaseError) return json(404, { error: 'NotFound', message: err.message });
      if (err instanceof ApprovalNotPendingError) return json(409, { error: err.name, message: err.message });
      if (err instanceof ResendTooSoonError) {
        return json(429, { error: err.name, message: err.message, retryAfterSeconds: err.retryAfterSeconds }, { 'retry-after': String(err.retryAfterSeconds) });
      }
      return errorResponse(err);
    }
  }

  return async (event) => {
    if (isApiEvent(event)) return resend(event);
    const report = await sweepApprovalRounds(deps);
    if (report.errors.length) logger.warn('approval follow-ups left work for the next run', { report });
    else logger.info('approval follow-ups', { report });
    return report;
  };
}

/** Production wiring, once per cold start. */
export function defaultDeps(): FollowUpDeps {
  return approvalFollowUpDeps();
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
