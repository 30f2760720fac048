import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';

import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { DynamoSpendGuard } from '../../lambdas/adapters/aws/dynamo-spend-guard';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import { makeHandler, type PurchasesApiDeps } from '../../lambdas/handlers/purchases-api';
import { FakeWorkflowStarter } from '../support/fake-ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';
import { cocalcRequest } from '../support/requests';

function post(body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }): APIGatewayProxyEvent {
  return { httpMethod: 'POST', resource: '/purchases', path: '/purchases', headers, body, isBase64Encoded: false } as unknown as APIGatewayProxyEvent;
}
function list(query: Record<string, string> | null, resource = '/purchases'): APIGatewayProxyEvent {
  return { httpMethod: 'GET', resource, path: '/prod/purchases', headers: {}, queryStringParameters: query, body: null } as unknown as APIGatewayProxyEvent;
}
function get(id: string): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    resource: '/purchases/{id}',
    path: `/purchases/${id}`,
    headers: {},
    pathParameters: { id },
    body: null,
  } as unknown as APIGatewayProxyEvent;
}
const CALLER = 'arn:aws:iam::123456789012:user/ops';
/** POST /purchases/{id}/resolution as API Gateway passes it after IAM authorization. */
function resolution(id: string, body: unknown, userArn: string | null = CALLER, resource = '/purchases/{id}/resolution'): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource,
    path: `/prod/purchases/${id}/resolution`,
    headers: { 'Content-Type': 'application/json' },
    pathParameters: { id },
    requestContext: { identity: { userArn, caller: userArn ? 'AIDAEXAMPLE' : null, accessKey: userArn ? 'AKIAEXAMPLE' : null, sourceIp: '198.51.100.7' } },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
}

// DynamoDB is real (dynalite); Step Functions is an in-memory fake of the WorkflowStarter port.
describe('purchases API', () => {
  let db: LocalDynamo;
  let deps: PurchasesApiDeps & { workflow: FakeWorkflowStarter };
  let handler: ReturnType<typeof makeHandler>;
  beforeAll(async () => {
    db = await startLocalDynamo();
    const doc = db.doc;
    deps = {
      purchases: new DynamoPurchaseStore(doc, db.stateTable),
      audit: new DynamoAuditLog(doc, db.auditTable),
      workflow: new FakeWorkflowStarter(),
      spendGuard: new DynamoSpendGuard(doc, db.stateTable, { capsUsd: { cocalc: 100, interserver: 100 }, dailyLimit: 10 }),
    };
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

  describe('GET /purchases', () => {
    /** Two submitted purchases moved to EXPIRED (no other test uses that status), newest last. */
    async function expiredPair(): Promise<[string, string]> {
      const ids: string[] = [];
      for (const requestId of ['api-list-1', 'api-list-2']) {
        await handler(post(JSON.stringify(cocalcRequest({ requestId }))));
        const id = purchaseIdFor(requestId);
        await deps.purchases.update(id, { status: 'EXPIRED', amountUsd: 18 });
        ids.push(id);
        await new Promise((r) => setTimeout(r, 5));
      }
      return [ids[0]!, ids[1]!];
    }

    it('lists purchases of a status newest first, a page at a time, with who asked', async () => {
      const [older, newer] = await expiredPair();

      const first = await handler(list({ status: 'EXPIRED', limit: '1' }));
      expect(first.statusCode).toBe(200);
      const page1 = JSON.parse(first.body) as { purchases: Array<Record<string, unknown>>; nextToken?: string };
      expect(page1.purchases).toEqual([
        expect.objectContaining({
          purchaseId: newer,
          status: 'EXPIRED',
          vendor: 'cocalc',
          amountUsd: 18,
          requester: { email: 'ada@example.com', name: 'Ada Lovelace' },
          pendingApprovers: [],
        }),
      ]);
      expect(page1.nextToken).toEqual(expect.any(String));

      const second = JSON.parse((await handler(list({ status: 'EXPIRED', limit: '1', nextToken: page1.nextToken! }))).body) as typeof page1;
      expect(second.purchases.map((p) => p.purchaseId)).toEqual([older]);
      expect(second.nextToken).toBeUndefined();
    });

    it('finds the route from the path when the resource is a proxy, and lists every status without a filter', async () => {
      const res = await handler(list(null, '/{proxy+}'));
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body) as { purchases: Array<{ createdAt: string }> };
      expect(body.purchases.length).toBeGreaterThan(2);
      const times = body.purchases.map((p) => p.createdAt);
      expect(times).toEqual([...times].sort().reverse());
    });

    it('answers 400 naming each bad parameter', async () => {
      const res = await handler(list({ status: 'SOMETHING', limit: '0' }));
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ reasons: [expect.stringMatching(/^status: must be one of /), expect.stringMatching(/^limit: /)] });
    });
  });

  describe('POST /purchases/{id}/resolution', () => {
    /** A submitted purchase that ended NEEDS_ATTENTION with $10 reserved. */
    async function needingAttention(requestId: string): Promise<string> {
      await handler(post(JSON.stringify(cocalcRequest({ requestId }))));
      const purchaseId = purchaseIdFor(requestId);
      await (deps.spendGuard as DynamoSpendGuard).reserve({ purchaseId, vendor: 'cocalc', amountUsd: 10, at: new Date() });
      await deps.purchases.update(purchaseId, { status: 'NEEDS_ATTENTION', reason: 'PurchaseOutcomeUnknownError: lost' });
      return purchaseId;
    }

    it('records the finding with the IAM caller as the actor and answers 200', async () => {
      const id = await needingAttention('api-res-1');

      const res = await handler(resolution(id, { finding: 'bought', licenseId: 'lic-1', comment: 'seen at the vendor' }));

      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({
        purchaseId: id,
        status: 'COMPLETED',
        budget: 'committed',
        alreadyResolved: false,
        resolution: { actor: CALLER },
      });
      const trail = JSON.parse((await handler(get(id))).body) as { status: string; licenseId: string; audit: Array<{ type: string; actor: string }> };
      expect(trail).toMatchObject({ status: 'COMPLETED', licenseId: 'lic-1' });
      expect(trail.audit.at(-1)).toMatchObject({ type: 'RESOLVED', actor: CALLER, detail: { comment: 'seen at the vendor' } });
    });

    it('finds the route from the path when the resource is a proxy', async () => {
      const id = await needingAttention('api-res-proxy');
      expect((await handler(resolution(id, { finding: 'not-bought' }, CALLER, '/{proxy+}'))).statusCode).toBe(200);
    });

    it('answers 409 for a purchase not in NEEDS_ATTENTION, and for a second, different finding', async () => {
      await handler(post(JSON.stringify(cocalcRequest({ requestId: 'api-res-409' }))));
      const res = await handler(resolution(purchaseIdFor('api-res-409'), { finding: 'not-bought' }));
      expect(res.statusCode).toBe(409);
      expect(JSON.parse(res.body)).toEqual({
        error: 'NotResolvable',
        message: expect.stringMatching(/is RECEIVED; only a purchase in NEEDS_ATTENTION can be resolved$/),
      });

      const id = await needingAttention('api-res-409b');
      expect((await handler(resolution(id, { finding: 'not-bought' }))).statusCode).toBe(200);
      expect((await handler(resolution(id, { finding: 'not-bought' }))).statusCode).toBe(200);
      expect((await handler(resolution(id, { finding: 'bought', licenseId: 'x' }))).statusCode).toBe(409);
    });

    it('answers 404 for an unknown purchase', async () => {
      const res = await handler(resolution('pur-00000000000000000000000000000000', { finding: 'not-bought' }));
      expect(res.statusCode).toBe(404);
    });

    it('answers 400 naming the field for a bad body, and for a body that is not JSON', async () => {
      const id = await needingAttention('api-res-400');
      const res = await handler(resolution(id, { finding: 'bought' }));
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'InvalidRequestError', reasons: ['licenseId: licenseId is required when the finding is bought'] });
      const notJson = await handler(resolution(id, '{"finding":'));
      expect(notJson.statusCode).toBe(400);
      expect(JSON.parse(notJson.body)).toMatchObject({ reasons: ['(body): not valid JSON'] });
      expect((await deps.purchases.get(id))?.status).toBe('NEEDS_ATTENTION');
    });

    it('answers 403 without a caller identity (the audit entry must name someone)', async () => {
      const id = await needingAttention('api-res-403');
      expect((await handler(resolution(id, { finding: 'not-bought' }, null))).statusCode).toBe(403);
      expect((await deps.purchases.get(id))?.status).toBe('NEEDS_ATTENTION');
    });
  });
});
