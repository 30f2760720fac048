import { confirm } from './approval-link-confirm';
import { approvalLinkContextOf, type ApprovalLinkRequest, type ApprovalsApiDeps } from './approval-link-context';
import { decideFromLink } from './approval-link-decide';
import { errorPage, type ApprovalPageResult } from './approval-link-pages';

/*
 * The approval link's endpoint, by part: the shared shapes and statuses (approval-link-context.ts),
 * the signature check (approval-link-authenticate.ts), the confirm page (approval-link-confirm.ts),
 * the decision (approval-link-decide.ts) and what a decision writes and sends (approval-link-effects.ts).
 * This file only routes a request by method and turns a failure into the "unavailable" page.
 */

export type { ApprovalPageResult } from './approval-link-pages';
export type { ApprovalLinkRequest, ApprovalsApiDeps } from './approval-link-context';

/**
 * The endpoint over plain inputs (the entry file, lambdas/handlers/approvals-api.ts, reads them
 * from the API Gateway event and turns the result into a response with the pages' CSP).
 */
export function approvalLinkEndpoint(deps: ApprovalsApiDeps): (request: ApprovalLinkRequest) => Promise<ApprovalPageResult> {
  const ctx = approvalLinkContextOf(deps);
  return async (event) => {
    try {
      const method = event.method.toUpperCase();
      if (method === 'GET') return await confirm(ctx, event);
      if (method === 'POST') return await decideFromLink(ctx, event);
      return errorPage('not-found', undefined, 405);
    } catch (err) {
      deps.log.error('approval request failed', { error: err as Error });
      return errorPage('unavailable', undefined, 500);
    }
  };
}
