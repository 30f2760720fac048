import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { SfnWorkflowStarter } from '../adapters/aws/sfn-workflow-starter';
import { InvalidRequestError } from '../core/errors';
import { rejectRequest, RequestRejectedError, submitPurchase, type SubmitPurchaseDeps } from '../core/submit-purchase';
import { documentClient, sfnClient } from '../shared/aws-clients';
import { tablesConfig, workflowConfig } from '../shared/config';
import { errorResponse, json, parseJsonBody, pathParam } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';

/**
 * POST /purchases: submit a purchase request (202 new, 200 repeat, 400 invalid, 409 conflict).
 * GET /purchases/{id}: status and audit trail (404 unknown).
 */
export type PurchasesApiDeps = SubmitPurchaseDeps;

/** Purchase ids are `pur-<hex>` or `invalid-<uuid>`; anything else cannot exist. */
const PURCHASE_ID_PATTERN = /^[A-Za-z0-9-]{1,80}$/;

/** '/prod/purchases/pur-1' -> '/purchases/{id}'; '/purchases' -> '/purchases'. */
function routeOf(path: string | undefined): string | undefined {
  const m = /\/purchases(\/[^/]+)?\/?$/.exec(path ?? '');
  if (!m) return undefined;
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

  async function status(id: string | undefined): Promise<APIGatewayProxyResult> {
    if (!id || !PURCHASE_ID_PATTERN.test(id)) return json(404, { error: 'NotFound', message: 'purchase not found' });
    const [record, audit] = await Promise.all([deps.purchases.get(id), deps.audit.list(id)]);
    if (!record && audit.length === 0) return json(404, { error: 'NotFound', message: `purchase ${id} not found` });
    return json(200, {
      ...(record ?? {}),
      purchaseId: id,
      // A rejected request has no purchase record; its trail says what happened.
      status: record?.status ?? audit.at(-1)?.status,
      audit: audit.map(({ purchaseId: _omit, ...entry }) => entry),
    });
  }

  return async (event) => {
    try {
      const method = event.httpMethod?.toUpperCase();
      // Prefer the API Gateway resource; fall back to the path for proxy resources.
      const route = event.resource && !event.resource.includes('{proxy') ? event.resource : routeOf(event.path);
      if (method === 'POST' && route === '/purchases') return await submit(event);
      if (method === 'GET' && route === '/purchases/{id}') return await status(pathParam(event, 'id'));
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
  const tables = tablesConfig();
  const { stateMachineArn } = workflowConfig();
  const doc = documentClient();
  return {
    purchases: new DynamoPurchaseStore(doc, tables.stateTable),
    audit: new DynamoAuditLog(doc, tables.auditTable),
    workflow: new SfnWorkflowStarter(sfnClient(), stateMachineArn),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
