import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoSpendGuard } from '../../lambdas/adapters/aws/dynamo-spend-guard';
import type { InterserverGateway } from '../../lambdas/vendors/interserver/core/ports';
import { makeHandler } from '../../lambdas/handlers/quotes-api';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';
import { cocalcRequest, interserverRequest } from '../support/requests';
import { quotersWith } from '../support/workflow-harness';

function post(body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource: '/quotes',
    path: '/prod/quotes',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
}

// DynamoDB is real (dynalite); InterServer is a stand-in that only has a catalog (any other call fails the test).
describe('quotes API', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  let spendGuard: DynamoSpendGuard;
  let catalogCalls = 0;
  let catalogFails = false;
  const interserver = async (): Promise<InterserverGateway> =>
    ({
      getLicenseTypes: async () => {
        catalogCalls += 1;
        if (catalogFails) throw new Error('connect ECONNREFUSED 10.9.8.7:443');
        return [{ id: 5006, name: 'Softaculous', cost: 3 }];
      },
    }) as unknown as InterserverGateway;
  let handler: ReturnType<typeof makeHandler>;

  const everything = async () => ({
    state: (await doc.send(new ScanCommand({ TableName: db.stateTable }))).Items ?? [],
    audit: (await doc.send(new ScanCommand({ TableName: db.auditTable }))).Items ?? [],
  });

  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = db.doc;
    spendGuard = new DynamoSpendGuard(doc, db.stateTable, { capsUsd: { cocalc: 100, interserver: 20 }, dailyLimit: 10 });
    // Another purchase holds $12 of this month's InterServer budget.
    await spendGuard.reserve({ purchaseId: 'pur-other', vendor: 'interserver', amountUsd: 12, at: new Date() });
    handler = makeHandler({ quoters: quotersWith(interserver), spendGuard, policy: autoApprovePolicy(2, ['boss@example.com']) });
  });
  afterAll(async () => db.close());

  it('answers 200 with the price, the budget left and the approval needed, and writes nothing at all', async () => {
    const before = await everything();

    const res = await handler(post(interserverRequest({ requestId: 'quote-1' })));

    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    expect(JSON.parse(res.body)).toMatchObject({
      requestId: 'quote-1',
      vendor: 'interserver',
      amountUsd: 3,
      interserverType: { id: 5006, name: 'Softaculous' },
      budget: { capUsd: 20, reservedUsd: 12, remainingUsd: 8, remainingAfterUsd: 5, fits: true },
      approval: { autoApprove: false, tier: 2, approvalsNeeded: 1, approvers: ['boss@example.com'] },
      problems: [],
    });
    expect(await everything()).toEqual(before);
  });

  it('prices CoCalc without touching InterServer', async () => {
    const calls = catalogCalls;
    const res = await handler(post(cocalcRequest({ requestId: 'quote-cocalc' })));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ vendor: 'cocalc', priceSource: 'cocalc-v3-formula', budget: { remainingUsd: 100 } });
    expect(catalogCalls).toBe(calls);
  });

  it('answers 400 with every reason intake would refuse the request for, and audits nothing', async () => {
    const res = await handler(post({ ...interserverRequest(), requester: { email: 'x', name: 'Eve' }, item: { ip: '10.0.0.1', licenseType: 5006 } }));

    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      error: 'InvalidRequest',
      message: expect.stringMatching(/^invalid purchase request: /),
      reasons: [expect.stringMatching(/^requester\.email: /), expect.stringMatching(/^item\.ip: ip must be a public IPv4 address/)],
    });
    expect((await everything()).audit).toEqual([]);
  });

  it.each([
    ['not JSON', post('{"requestId":'), ['(body): not valid JSON']],
    ['a form body', post('a=b', { 'Content-Type': 'application/x-www-form-urlencoded' }), ['(body): Content-Type must be application/json']],
  ])('answers 400 for %s', async (_what, event, reasons) => {
    const res = await handler(event);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ reasons });
  });

  it('answers 502 without the vendor error when the catalog cannot be read', async () => {
    catalogFails = true;
    try {
      const res = await handler(post(interserverRequest({ requestId: 'quote-502' })));
      expect(res.statusCode).toBe(502);
      expect(JSON.parse(res.body)).toEqual({ error: 'VendorUnavailable', message: "could not read InterServer's catalog price; try again later" });
      expect(res.body).not.toContain('ECONNREFUSED');
    } finally {
      catalogFails = false;
    }
  });

  it('serves POST only', async () => {
    expect((await handler({ ...post(''), httpMethod: 'GET' })).statusCode).toBe(404);
  });
});
