import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import { makeHandler, type PurchasesApiDeps } from '../../lambdas/handlers/purchases-api';
import { FakeWorkflowStarter } from '../support/fake-ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';
import { cocalcRequest } from '../support/requests';

function post(body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }): APIGatewayProxyEvent {
  return { httpMethod: 'POST', resource: '/purchases', path: '/purchases', headers, body, isBase64Encoded: false } as unknown as APIGatewayProxyEvent;
}
function get(id: string): APIGatewayProxyEvent {
  return { httpMethod: 'GET', resource: '/purchases/{id}', path: `/purchases/${id}`, headers: {}, pathParameters: { id }, body: null } as unknown as APIGatewayProxyEvent;
}

// DynamoDB is real (dynalite); Step Functions is an in-memory fake of the WorkflowStarter port.
describe('purchases API', () => {
  let db: LocalDynamo;
  let deps: PurchasesApiDeps & { workflow: FakeWorkflowStarter };
  let handler: ReturnType<typeof makeHandler>;
  beforeAll(async () => {
    db = await startLocalDynamo();
    const doc = DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } });
    deps = { purchases: new DynamoPurchaseStore(doc, db.stateTable), audit: new DynamoAuditLog(doc, db.auditTable), workflow: new FakeWorkflowStarter() };
    handler = makeHandler(deps);
  });
  afterAll(async () => db.close());

  it('accepts a new request with 202 and a repeat with 200 and existing: true', async () => {
    const body = JSON.stringify(cocalcRequest({ requestId: 'api-1' }));

    const first = await handler(post(body));
    const repeat = await handler(post(body));

    const purchaseId = purchaseIdFor('api-1');
    expect(first.statusCode).toBe(202);
    expect(JSON.parse(first.body)).toEqual({ purchaseId, status: 'RECEIVED', existing: false });
    expect(repeat.statusCode).toBe(200);
    expect(JSON.parse(repeat.body)).toEqual({ purchaseId, status: 'RECEIVED', existing: true });
    expect(first.headers).toMatchObject({ 'Cache-Control': 'no-store' });
  });

  it('answers an invalid request with 400 and its reasons, audits it and starts nothing', async () => {
    const calls = deps.workflow.calls.length;

    const res = await handler(post(JSON.stringify(cocalcRequest({ requestId: 'api-bad', reason: '' }))));

    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body) as { reasons: string[]; purchaseId: string };
    expect(body.reasons.some((r) => r.startsWith('reason'))).toBe(true);
    expect(body.purchaseId).toBe(purchaseIdFor('api-bad'));
    expect(deps.workflow.calls.length).toBe(calls);
    const trail = await handler(get(body.purchaseId));
    expect(JSON.parse(trail.body)).toMatchObject({ status: 'INVALID', audit: [{ type: 'REQUEST_REJECTED', detail: { reasons: body.reasons } }] });
  });

  it('answers malformed JSON with 400 and still writes an audit entry', async () => {
    const res = await handler(post('{"requestId": "x", '));

    expect(res.statusCode).toBe(400);
    const { purchaseId, reasons } = JSON.parse(res.body) as { purchaseId: string; reasons: string[] };
    expect(reasons).toEqual(['(body): not valid JSON']);
    expect((await deps.audit.list(purchaseId))[0]).toMatchObject({ type: 'REQUEST_REJECTED', status: 'INVALID' });
  });

  it('refuses a form-encoded body, which a cross-site HTML form could send', async () => {
    const res = await handler(post(JSON.stringify(cocalcRequest({ requestId: 'api-form' })), { 'Content-Type': 'text/plain' }));

    expect(res.statusCode).toBe(400);
  });

  it('answers the same requestId with a different body with 409', async () => {
    await handler(post(JSON.stringify(cocalcRequest({ requestId: 'api-conf' }))));

    const res = await handler(post(JSON.stringify(cocalcRequest({ requestId: 'api-conf', reason: 'changed' }))));

    expect(res.statusCode).toBe(409);
  });

  it('returns status and the time-ordered audit trail for GET /purchases/{id}', async () => {
    await handler(post(JSON.stringify(cocalcRequest({ requestId: 'api-get' }))));
    const purchaseId = purchaseIdFor('api-get');
    await deps.audit.append(purchaseId, { type: 'QUOTED', status: 'QUOTED', detail: { amountUsd: 12 } });

    const res = await handler(get(purchaseId));

    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { status: string; vendor: string; audit: Array<{ type: string; seq: string }> };
    expect(body).toMatchObject({ purchaseId, status: 'RECEIVED', vendor: 'cocalc' });
    expect(body.audit.map((e) => e.type)).toEqual(['REQUEST_RECEIVED', 'QUOTED']);
  });

  it('answers 404 for an unknown or malformed purchase id', async () => {
    expect((await handler(get('pur-00000000000000000000000000000000'))).statusCode).toBe(404);
    expect((await handler(get('../../x'))).statusCode).toBe(404);
  });

  it('answers 500 without internals when a dependency fails', async () => {
    deps.workflow.failNext = new Error('connect ECONNREFUSED 10.1.2.3');

    const res = await handler(post(JSON.stringify(cocalcRequest({ requestId: 'api-500' }))));

    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('ECONNREFUSED');
  });
});
