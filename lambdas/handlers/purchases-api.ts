import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { RequestRejectedError } from '../core/submit-purchase';
import { workflowStarter } from '../composition/executions';
import { mailer } from '../composition/mail';
import { noticeLedger, purchaseJournal, spendGuard } from '../composition/stores';
import { noticeMailConfig } from '../shared/config';
import { errorResponse, json } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { type PurchasesApiDeps, purchasesRouteOf } from './http/purchases-routes';

export type { PurchasesApiDeps } from './http/purchases-routes';

/**
 * PurchasesApi (./http/purchases-routes.ts): POST /purchases (202 new, 200 repeat, 400 invalid,
 * 409 conflict), GET /purchases (one page, newest first), GET /purchases/{id} (status and audit
 * trail) and POST /purchases/{id}/resolution (a person's finding on a NEEDS_ATTENTION purchase).
 */
export function makeHandler(deps: PurchasesApiDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return async (event) => {
    try {
      const route = purchasesRouteOf(event);
      return route ? await route(deps, event) : json(404, { error: 'NotFound', message: 'no such route' });
    } catch (err) {
      if (err instanceof RequestRejectedError) {
        return json(400, { error: 'InvalidRequest', message: err.message, reasons: err.issues, purchaseId: err.auditId });
      }
      return errorResponse(err);
    }
  };
}

/** Builds the real dependencies; runs once per cold start. */
export function defaultDeps(): PurchasesApiDeps {
  const journal = purchaseJournal();
  const requesterNotice = { mailer: mailer(), notices: noticeLedger(), audit: journal.audit, sender: noticeMailConfig().sender, log: logger };
  return { ...journal, workflow: workflowStarter(), spendGuard: spendGuard(), requesterNotice };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
