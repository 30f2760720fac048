import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { RequestConflictError } from '../../lambdas/core/errors';
import { canonicalJson, hashRequest, RequestRejectedError, submitPurchase, type SubmitPurchaseDeps } from '../../lambdas/core/submit-purchase';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import { FakeWorkflowStarter } from '../support/fake-ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';
import { cocalcRequest, interserverRequest } from '../support/requests';

// DynamoDB is real (dynalite); Step Functions is an in-memory fake of the WorkflowStarter port
// (one execution per name, like the service), since it cannot run in a unit test.
describe('submitPurchase', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = db.doc;
  });
  afterAll(async () => db.close());

  function deps(
    workflow = new FakeWorkflowStarter(),
  ): SubmitPurchaseDeps & { workflow: FakeWorkflowStarter; audit: DynamoAuditLog; purchases: DynamoPurchaseStore } {
    return { purchases: new DynamoPurchaseStore(doc, db.stateTable), audit: new DynamoAuditLog(doc, db.auditTable), workflow };
  }

  async function purchaseItems(purchaseId: string): Promise<unknown[]> {
    const scan = await doc.send(new ScanCommand({ TableName: db.stateTable }));
    return (scan.Items ?? []).filter((i) => i.pk === `PURCHASE#${purchaseId}`);
  }

  it('records a new request, audits it and starts one execution named after the purchase', async () => {
    const d = deps();
    const body = cocalcRequest({ requestId: 'req-new' });

    const result = await submitPurchase(d, body, 'api');

    const purchaseId = purchaseIdFor('req-new');
    expect(result).toEqual({ purchaseId, status: 'RECEIVED', existing: false });
    expect([...d.workflow.executions.keys()]).toEqual([purchaseId]);
    expect(d.workflow.executions.get(purchaseId)?.input).toMatchObject({ purchaseId, source: 'api', request: { requestId: 'req-new' } });
    expect(await d.purchases.get(purchaseId)).toMatchObject({
      status: 'RECEIVED',
      vendor: 'cocalc',
      requester: { email: 'ada@example.com', name: 'Ada Lovelace' },
      executionArn: expect.stringContaining(purchaseId),
    });
    expect((await d.audit.list(purchaseId)).map((e) => e.type)).toEqual(['REQUEST_RECEIVED']);
  });

  it('records an opt-out from requester notices on the purchase and in REQUEST_RECEIVED', async () => {
    const d = deps();

    await submitPurchase(d, cocalcRequest({ requestId: 'req-quiet', notifyRequester: false }), 'event');

    const purchaseId = purchaseIdFor('req-quiet');
    expect(await d.purchases.get(purchaseId)).toMatchObject({ notifyRequester: false });
    expect((await d.audit.list(purchaseId))[0]).toMatchObject({ type: 'REQUEST_RECEIVED', detail: { notifyRequester: false } });
    expect(d.workflow.executions.get(purchaseId)?.input.request).toMatchObject({ notifyRequester: false });
  });

  it('treats notifyRequester: true as the default it is (same request), and false as a different request', async () => {
    const d = deps();
    const body = cocalcRequest({ requestId: 'req-notify' });
    await submitPurchase(d, body, 'api');

    expect(await submitPurchase(d, { ...body, notifyRequester: true }, 'api')).toMatchObject({ existing: true });
    await expect(submitPurchase(d, { ...body, notifyRequester: false }, 'api')).rejects.toBeInstanceOf(RequestConflictError);
    expect(hashRequest(parsePurchaseRequest({ ...body, notifyRequester: true }))).toBe(hashRequest(parsePurchaseRequest(body)));
    expect((await d.purchases.get(purchaseIdFor('req-notify')))?.notifyRequester).toBeUndefined();
  });

  it('turns 20 concurrent identical submissions into one purchase and one execution, and gives all callers its id', async () => {
    const d = deps();
    const body = interserverRequest({ requestId: 'req-burst' });

    const results = await Promise.all(Array.from({ length: 20 }, () => submitPurchase(d, structuredClone(body), 'event')));

    const purchaseId = purchaseIdFor('req-burst');
    expect(new Set(results.map((r) => r.purchaseId))).toEqual(new Set([purchaseId]));
    expect(results.filter((r) => !r.existing)).toHaveLength(1);
    expect(new Set(d.workflow.calls)).toEqual(new Set([purchaseId]));
    expect(d.workflow.executions.size).toBe(1);
    expect(await purchaseItems(purchaseId)).toHaveLength(1);
    expect((await d.audit.list(purchaseId)).filter((e) => e.type === 'REQUEST_RECEIVED')).toHaveLength(1);
  });

  it('returns the existing purchase for a repeat, whatever the key order, without starting again', async () => {
    const d = deps();
    const body = cocalcRequest({ requestId: 'req-repeat' });
    await submitPurchase(d, body, 'api');
    const reordered = JSON.parse(canonicalJson(body)) as Record<string, unknown>;

    const again = await submitPurchase(d, reordered, 'api');

    expect(again).toEqual({ purchaseId: purchaseIdFor('req-repeat'), status: 'RECEIVED', existing: true });
    expect(d.workflow.calls).toHaveLength(1);
  });

  it('refuses the same requestId with a different body as a conflict', async () => {
    const d = deps();
    await submitPurchase(d, cocalcRequest({ requestId: 'req-conflict' }), 'api');

    const other = submitPurchase(d, cocalcRequest({ requestId: 'req-conflict', reason: 'something else' }), 'api');

    await expect(other).rejects.toBeInstanceOf(RequestConflictError);
    expect(d.workflow.calls).toHaveLength(1);
    expect((await d.audit.list(purchaseIdFor('req-conflict'))).map((e) => e.type)).toEqual(['REQUEST_RECEIVED', 'REQUEST_CONFLICT']);
  });

  it('audits an invalid request with its reasons under the purchase id, and creates and starts nothing', async () => {
    const d = deps();
    const body = cocalcRequest({ requestId: 'req-invalid', vendor: 'cocalc', item: { description: { ram: 99 } } });

    const err = await submitPurchase(d, body, 'api').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RequestRejectedError);
    const rejected = err as RequestRejectedError;
    const purchaseId = purchaseIdFor('req-invalid');
    expect(rejected.auditId).toBe(purchaseId);
    expect(rejected.issues.length).toBeGreaterThan(0);
    const [entry, ...rest] = await d.audit.list(purchaseId);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ type: 'REQUEST_REJECTED', status: 'INVALID', detail: { reasons: rejected.issues, requestId: 'req-invalid' } });
    expect(d.workflow.calls).toEqual([]);
    expect(await d.purchases.get(purchaseId)).toBeUndefined();
  });

  it('audits a request without a usable requestId under a fresh invalid-… id', async () => {
    const d = deps();

    const err = (await submitPurchase(d, { vendor: 'nope', requestId: '../../etc' }, 'event').catch((e: unknown) => e)) as RequestRejectedError;

    expect(err.auditId).toMatch(/^invalid-[0-9a-f-]{36}$/);
    expect((await d.audit.list(err.auditId))[0]).toMatchObject({ type: 'REQUEST_REJECTED', status: 'INVALID' });
  });

  it('starts the execution on a retry when the first submission failed to start it', async () => {
    const d = deps();
    const body = cocalcRequest({ requestId: 'req-crash' });
    const purchaseId = purchaseIdFor('req-crash');
    d.workflow.failNext = new Error('StartExecution: connection reset');
    await expect(submitPurchase(d, body, 'api')).rejects.toThrow(/connection reset/);

    const retry = await submitPurchase(d, body, 'api');

    expect(retry).toMatchObject({ purchaseId, existing: true });
    expect(d.workflow.executions.size).toBe(1);
    expect((await d.purchases.get(purchaseId))?.executionArn).toContain(purchaseId);
  });

  it('creates the record and starts the execution when the first submission died right after claiming', async () => {
    const d = deps();
    const body = cocalcRequest({ requestId: 'req-died' });
    const purchaseId = purchaseIdFor('req-died');
    await d.purchases.claimRequest('req-died', purchaseId, hashRequest(parsePurchaseRequest(body)));

    const retry = await submitPurchase(d, body, 'api');

    expect(retry).toEqual({ purchaseId, status: 'RECEIVED', existing: true });
    expect(await d.purchases.get(purchaseId)).toMatchObject({ status: 'RECEIVED', executionArn: expect.stringContaining(purchaseId) });
    expect(d.workflow.executions.size).toBe(1);
  });
});
