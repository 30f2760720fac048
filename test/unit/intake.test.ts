import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from 'aws-lambda';

import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import type { EventPublisher } from '../../lambdas/core/ports';
import { EVENTS, purchaseIdFor } from '../../lambdas/core/workflow';
import { makeHandler, type IntakeDeps } from '../../lambdas/handlers/intake';
import { FakeWorkflowStarter } from '../support/fake-ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';
import { interserverRequest } from '../support/requests';

class RecordingPublisher implements EventPublisher {
  readonly events: Array<{ detailType: string; detail: Record<string, unknown> }> = [];
  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    this.events.push({ detailType, detail });
  }
}

function event(detail: unknown, detailType: string = EVENTS.requested): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': detailType,
    source: EVENTS.defaultRequestSource,
    account: '000000000000',
    time: '2030-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

// DynamoDB is real (dynalite); Step Functions and EventBridge are in-memory fakes of their ports.
describe('intake (EventBridge trigger)', () => {
  let db: LocalDynamo;
  let deps: IntakeDeps & { workflow: FakeWorkflowStarter; events: RecordingPublisher; audit: DynamoAuditLog };
  let handler: ReturnType<typeof makeHandler>;
  beforeAll(async () => {
    db = await startLocalDynamo();
    const doc = db.doc;
    deps = {
      purchases: new DynamoPurchaseStore(doc, db.stateTable),
      audit: new DynamoAuditLog(doc, db.auditTable),
      workflow: new FakeWorkflowStarter(),
      events: new RecordingPublisher(),
    };
    handler = makeHandler(deps);
  });
  afterAll(async () => db.close());

  it('starts a purchase for a valid request, and only once when EventBridge delivers it twice', async () => {
    const e = event(interserverRequest({ requestId: 'ev-1' }));

    const first = await handler(e);
    const second = await handler(e);

    expect(first).toEqual({ outcome: 'accepted', purchaseId: purchaseIdFor('ev-1'), existing: false });
    expect(second).toMatchObject({ outcome: 'accepted', existing: true });
    expect(deps.workflow.executions.size).toBe(1);
    expect(deps.events.events).toEqual([]);
  });

  it('audits an invalid request, answers with a Failed event and does not throw', async () => {
    const calls = deps.workflow.calls.length;

    const result = await handler(event(interserverRequest({ requestId: 'ev-bad', item: { ip: 'not-an-ip', licenseType: 1 } })));

    expect(result).toMatchObject({ outcome: 'rejected', requestId: 'ev-bad', purchaseId: purchaseIdFor('ev-bad') });
    const failed = deps.events.events.at(-1);
    expect(failed?.detailType).toBe(EVENTS.failed);
    expect(failed?.detail).toMatchObject({ requestId: 'ev-bad', code: 'REQUEST_REJECTED', reason: expect.stringContaining('ip') });
    expect((await deps.audit.list(purchaseIdFor('ev-bad')))[0]).toMatchObject({ type: 'REQUEST_REJECTED', status: 'INVALID' });
    expect(deps.workflow.calls.length).toBe(calls);
  });

  it('answers a detail that is not even an object with a Failed event without a requestId', async () => {
    const result = await handler(event('just a string'));

    expect(result).toMatchObject({ outcome: 'rejected', purchaseId: expect.stringMatching(/^invalid-/) });
    expect(deps.events.events.at(-1)?.detail).not.toHaveProperty('requestId');
  });

  it('answers a conflicting requestId with a Failed event instead of a retry loop', async () => {
    await handler(event(interserverRequest({ requestId: 'ev-conf' })));

    const result = await handler(event(interserverRequest({ requestId: 'ev-conf', reason: 'other' })));

    expect(result).toMatchObject({ outcome: 'rejected', requestId: 'ev-conf' });
    expect(deps.events.events.at(-1)).toMatchObject({ detailType: EVENTS.failed, detail: { requestId: 'ev-conf', code: 'REQUEST_CONFLICT' } });
  });

  it('throws on a transient AWS error so EventBridge retries, and the retry completes the purchase', async () => {
    const e = event(interserverRequest({ requestId: 'ev-retry' }));
    deps.workflow.failNext = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

    await expect(handler(e)).rejects.toMatchObject({ name: 'ThrottlingException' });
    const retry = await handler(e);

    expect(retry).toMatchObject({ outcome: 'accepted', purchaseId: purchaseIdFor('ev-retry') });
    expect(deps.workflow.executions.has(purchaseIdFor('ev-retry'))).toBe(true);
  });

  it('refuses an event of another detail-type without throwing', async () => {
    const result = await handler(event(interserverRequest({ requestId: 'ev-type' }), 'Something Else'));

    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(deps.workflow.executions.has(purchaseIdFor('ev-type'))).toBe(false);
  });
});
