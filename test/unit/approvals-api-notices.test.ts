import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Mail } from '../../lambdas/core/ports';
import { makeHandler } from '../../lambdas/handlers/approvals-api';
import { makeHandler as makeRequestApproval } from '../../lambdas/handlers/request-approval';
import { approvalWorld, APPROVERS, linkIn, purchaseAwaitingApproval, SIGNING_KEY, type ApprovalWorld } from '../support/approval-fixture';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

function postEvent(id: string, form: Record<string, string>): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource: '/approvals/{id}',
    path: `/approvals/${id}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    pathParameters: { id },
    queryStringParameters: null,
    body: new URLSearchParams(form).toString(),
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '198.51.100.7', userAgent: 'Firefox/130' } },
  } as unknown as APIGatewayProxyEvent;
}

// The approvals API tells the requester that their purchase was approved: real DynamoDB (dynalite)
// for the records, the audit trail and the notice ledger; fakes for SES and Step Functions.
describe('approvals API: the requester notice', () => {
  let db: LocalDynamo;
  let world: ApprovalWorld;
  let now: Date;
  let api: ReturnType<typeof makeHandler>;

  beforeAll(async () => {
    db = await startLocalDynamo();
    world = approvalWorld(db);
    api = makeHandler({ ...world, clock: () => now });
  });
  afterAll(async () => db.close());
  beforeEach(() => {
    now = new Date('2030-03-01T10:00:00.000Z');
  });

  /** Runs RequestApproval for a new purchase; the outbox then holds only what follows. */
  async function awaiting(requestId: string, over: Record<string, unknown> = {}) {
    const payload = await purchaseAwaitingApproval(world, requestId, over);
    world.mailer.outbox.length = 0;
    await makeRequestApproval({ ...world, clock: () => now })(payload);
    const links = world.mailer.outbox.map((m) => linkIn(m));
    world.mailer.outbox.length = 0;
    return { payload, links };
  }
  const toRequester = (): Mail[] => world.mailer.outbox.filter((m) => !APPROVERS.some((a) => m.to.includes(a)));

  it('mails the requester once that the purchase was approved and by whom, with no link, token or key in it', async () => {
    const { payload, links } = await awaiting('apn-approve');

    const res = await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve', comment: 'fine' }));

    expect(res.statusCode).toBe(200);
    expect(world.mailer.outbox).toHaveLength(1);
    const [notice] = toRequester();
    expect(notice).toMatchObject({ to: ['ada@example.com'], from: 'procure@example.com', subject: 'Your CoCalc purchase was approved (apn-approve)' });
    expect(notice!.text).toContain('alice@example.com approved it. procure is buying it from CoCalc now');
    expect(notice!.text).toContain('Cost: $12.50');
    for (const part of [notice!.text, notice!.html, notice!.subject]) {
      for (const secret of [links[0]!.sig, links[0]!.id, payload.taskToken, 'fake-task-token', SIGNING_KEY, '/approvals/']) expect(part).not.toContain(secret);
    }
    const entry = (await world.audit.list(payload.state.purchaseId)).at(-1);
    expect(entry).toMatchObject({ type: 'REQUESTER_NOTIFIED', status: 'APPROVED', detail: { kind: 'decision', outcome: 'APPROVED', to: 'ada@example.com' } });
  });

  it('does not mail again when the same decision is delivered again after SendTaskSuccess failed', async () => {
    const { links } = await awaiting('apn-redeliver');
    world.callback.failNext = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    expect((await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }))).statusCode).toBe(500);
    expect(toRequester()).toEqual([]); // the workflow does not have the decision yet

    now = new Date(now.getTime() + 21_000);
    expect((await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }))).statusCode).toBe(200);
    now = new Date(now.getTime() + 21_000);
    expect((await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }))).statusCode).toBe(409);

    expect(toRequester().map((m) => m.subject)).toEqual(['Your CoCalc purchase was approved (apn-redeliver)']);
  });

  it('leaves a rejection to RecordOutcome, which ends the purchase and quotes the comment', async () => {
    const { payload, links } = await awaiting('apn-reject');

    await api(postEvent(links[1]!.id, { sig: links[1]!.sig, decision: 'reject', comment: 'not this term' }));

    expect(world.mailer.outbox).toEqual([]);
    expect((await world.audit.list(payload.state.purchaseId)).map((e) => e.type)).not.toContain('REQUESTER_NOTIFIED');
  });

  it('mails nobody when the request opted out', async () => {
    const { payload, links } = await awaiting('apn-opt-out', { notifyRequester: false });
    await world.purchases.update(payload.state.purchaseId, { notifyRequester: false }); // as intake records it

    expect((await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }))).statusCode).toBe(200);

    expect(world.mailer.outbox).toEqual([]);
  });

  it('still answers the approver with the decided page when the notice cannot be sent, and audits NOTICE_FAILED', async () => {
    const { payload, links } = await awaiting('apn-ses-down');
    world.mailer.failNext = Object.assign(new Error('Daily message quota exceeded'), { name: 'LimitExceededException' });

    const res = await api(postEvent(links[0]!.id, { sig: links[0]!.sig, decision: 'approve' }));

    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Purchase approved');
    expect(world.callback.delivered.filter((d) => d.taskToken === payload.taskToken)).toHaveLength(1);
    expect((await world.audit.list(payload.state.purchaseId)).at(-1)).toMatchObject({
      type: 'NOTICE_FAILED',
      status: 'APPROVED',
      detail: { kind: 'decision', error: 'LimitExceededException' },
    });
  });
});
