import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvalidRequestError } from '../core/errors';
import type { PurchaseIndex, PurchaseStore } from '../core/ports';
import { listPurchases, parsePurchaseListQuery } from '../core/purchase-list';
import { isPurchaseId, purchaseStatus } from '../core/purchase-status';
import { NotResolvableError, resolvePurchase, UnknownPurchaseError, type ResolvePurchaseDeps } from '../core/resolve-purchase';
import { rejectRequest, RequestRejectedError, submitPurchase, type SubmitPurchaseDeps } from '../core/submit-purchase';
import { workflowStarter } from '../composition/executions';
import { noticeLedger, purchaseJournal, spendGuard } from '../composition/stores';
import { mailer } from '../composition/mail';
import { noticeMailConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { errorResponse, iamCaller, json, parseJsonBody, pathParam } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';

/**
 * POST /purchases: submit a purchase request (202 new, 200 repeat, 400 invalid, 409 conflict).
 * GET /purchases?status=&since=&limit=&nextToken=: one page of purchases, newest first, with who
 * still has to decide (400 for a bad parameter); see core/purchase-list.
 * GET /purchases/{id}: status and audit trail (404 unknown).
 * POST /purchases/{id}/resolution: a person's finding on a NEEDS_ATTENTION purchase (200, 400 bad
 * body, 403 no caller identity, 404 unknown, 409 not in NEEDS_ATTENTION); see core/resolve-purchase.
 */
export type PurchasesApiDeps = SubmitPurchaseDeps & ResolvePurchaseDeps & { purchases: PurchaseStore & PurchaseIndex };

/** '/prod/purchases/pur-1' -> '/purchases/{id}'; '/purchases' -> '/purchases'; '.../pur-1/resolution' -> '/purchases/{id}/resolution'. */
function routeOf(path: string | undefined): string | undefined {
  const m = /\/purchases(\/[^/]+)?(\/resolution)?\/?$/.exec(path ?? '');
  if (!m) return undefined;
  if (m[2]) return m[1] ? '/purchases/{id}/resolution' : undefined;
  return m[1] ? '/purchases/{id}' : '/purchases';
}

export function makeHandler(deps: PurchasesApiDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  async function submit(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    let body: unknown;
    try {
      body = parseJsonBody(event);
    } catch (err) {
      // Not even JSON: still audited, so a misbehaving client shows up in the trail.
      if (err instanceof InvalidRequestError) throw await rejectRequest(deps, undefined, err, 'api');
      throw err;
    }
    const result = await submitPurchase(deps, body, 'api');
    return json(result.existing ? 200 : 202, result);
  }

  async function list(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const query = parsePurchaseListQuery(event.queryStringParameters);
    return json(200, await listPurchases(deps.purchases, query, (deps.clock ?? (() => new Date()))()));
  }

  async function status(id: string | undefined): Promise<APIGatewayProxyResult> {
    if (!isPurchaseId(id)) return json(404, { error: 'NotFound', message: 'purchase not found' });
    const view = await purchaseStatus(deps, id);
    return view ? json(200, view) : json(404, { error: 'NotFound', message: `purchase ${id} not found` });
  }

  async function resolve(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const id = event.pathParameters?.id;
    if (!isPurchaseId(id)) return json(404, { error: 'NotFound', message: 'purchase not found' });
    const actor = iamCaller(event);
    // The audit entry must name a person; an IAM route always has one, so this is a misconfiguration.
    if (!actor) return json(403, { error: 'Forbidden', message: 'a resolution needs an IAM-signed caller' });
    try {
      return json(200, await resolvePurchase(deps, id, parseJsonBody(event), actor));
    } catch (err) {
      if (err instanceof UnknownPurchaseError) return json(404, { error: 'NotFound', message: err.message });
      if (err instanceof NotResolvableError) return json(409, { error: 'NotResolvable', message: err.message });
      throw err;
    }
  }

  return async (event) => {
    try {
      const method = event.httpMethod?.toUpperCase();
      // Prefer the API Gateway resource; fall back to the path for proxy resources.
      const route = event.resource && !event.resource.includes('{proxy') ? event.resource : routeOf(event.path);
      if (method === 'POST' && route === '/purchases') return await submit(event);
      if (method === 'GET' && route === '/purchases') return await list(event);
      if (method === 'GET' && route === '/purchases/{id}') return await status(pathParam(event, 'id'));
      if (method === 'POST' && route === '/purchases/{id}/resolution') return await resolve(event);
      return json(404, { error: 'NotFound', message: 'no such route' });
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
