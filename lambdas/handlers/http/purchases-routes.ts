import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvalidRequestError } from '../../core/errors';
import type { PurchaseIndex, PurchaseStore } from '../../core/ports';
import { listPurchases, parsePurchaseListQuery } from '../../core/purchase-list';
import { isPurchaseId, purchaseStatus } from '../../core/purchase-status';
import { NotResolvableError, resolvePurchase, UnknownPurchaseError, type ResolvePurchaseDeps } from '../../core/resolve-purchase';
import { rejectRequest, submitPurchase, type SubmitPurchaseDeps } from '../../core/submit-purchase';
import { iamCaller, json, parseJsonBody, pathParam } from '../../shared/http';

/** What PurchasesApi's routes are wired with (../purchases-api.ts). */
export type PurchasesApiDeps = SubmitPurchaseDeps & ResolvePurchaseDeps & { purchases: PurchaseStore & PurchaseIndex };

type Route = (deps: PurchasesApiDeps, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const NOT_FOUND = { error: 'NotFound', message: 'purchase not found' };

/** POST /purchases: 202 new, 200 repeat (400 and 409 are thrown, see ../purchases-api.ts). */
const submit: Route = async (deps, event) => {
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
};

/** GET /purchases?status=&since=&limit=&nextToken=: one page, newest first (core/purchase-list). */
const list: Route = async (deps, event) =>
  json(200, await listPurchases(deps.purchases, parsePurchaseListQuery(event.queryStringParameters), (deps.clock ?? (() => new Date()))()));

/** GET /purchases/{id}: status and audit trail (404 unknown). */
const status: Route = async (deps, event) => {
  const id = pathParam(event, 'id');
  if (!isPurchaseId(id)) return json(404, NOT_FOUND);
  const view = await purchaseStatus(deps, id);
  return view ? json(200, view) : json(404, { error: 'NotFound', message: `purchase ${id} not found` });
};

/** POST /purchases/{id}/resolution: 200, 400 bad body, 403 no caller identity, 404 unknown, 409 not NEEDS_ATTENTION (core/resolve-purchase). */
const resolve: Route = async (deps, event) => {
  const id = event.pathParameters?.id;
  if (!isPurchaseId(id)) return json(404, NOT_FOUND);
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
};

/** PurchasesApi's routes, by `METHOD resource`. */
const PURCHASES_ROUTES: Readonly<Record<string, Route>> = {
  'POST /purchases': submit,
  'GET /purchases': list,
  'GET /purchases/{id}': status,
  'POST /purchases/{id}/resolution': resolve,
};

/** The route an event asks for: its API Gateway resource, or for a proxy resource its path ('/prod/purchases/pur-1' -> '/purchases/{id}'). */
export function purchasesRouteOf(event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource' | 'path'>): Route | undefined {
  const resource = event.resource && !event.resource.includes('{proxy') ? event.resource : resourceOf(event.path);
  return PURCHASES_ROUTES[`${event.httpMethod?.toUpperCase()} ${resource}`];
}

function resourceOf(path: string | undefined): string | undefined {
  const m = /\/purchases(\/[^/]+)?(\/resolution)?\/?$/.exec(path ?? '');
  if (!m) return undefined;
  if (m[2]) return m[1] ? '/purchases/{id}/resolution' : undefined;
  return m[1] ? '/purchases/{id}' : '/purchases';
}
