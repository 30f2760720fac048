import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

import type { ApprovalPolicy } from '../../lambdas/core/approval-policy';
import { mintApprovalLink } from '../../lambdas/core/mint-approval-link';
import { checkApproval, gatherApprovalEvidence } from '../../lambdas/core/verify-approval';
import type { RequestApprovalPayload } from '../../lambdas/core/workflow';
import { makeHandler } from '../../lambdas/handlers/approvals-api';
import { makeHandler as makeRequestApproval } from '../../lambdas/handlers/request-approval';
import { approvalWorld, linkIn, purchaseAwaitingApproval, SIGNING_KEY, type ApprovalWorld } from '../support/approval-fixture';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

/**
 * A round that needs two distinct approvals (issue #13 part 2) through the approvals API, on real
 * DynamoDB (dynalite). Step Functions is the fixture's in-memory TaskCallback fake, which accepts
 * one answer per token as the service does; SES is a fake outbox.
 */
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';
const TWO_OF_THREE: ApprovalPolicy = { tiers: [{ approvals: 2, approvers: [ALICE, BOB, CAROL] }], escalationApprovers: [] };

const event = (method: 'GET' | 'POST', id: string, form: Record<string, string>): APIGatewayProxyEvent =>
  ({
    httpMethod: method,
    resource: '/approvals/{id}',
    path: `/approvals/${id}`,
    headers: method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
    pathParameters: { id },
    queryStringParameters: method === 'GET' ? { sig: form.sig } : null,
    body: method === 'POST' ? new URLSearchParams(form).toString() : null,
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '198.51.100.7', userAgent: 'test' } },
  }) as unknown as APIGatewayProxyEvent;

describe('an approval round that needs two of three approvers', () => {
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

  type Link = ReturnType<typeof linkIn>;
  async function round(requestId: string): Promise<{ payload: RequestApprovalPayload; link: Record<string, Link> }> {
    const payload = await purchaseAwaitingApproval(world, requestId);
    world.mailer.outbox.length = 0;
    await makeRequestApproval({ ...world, config: { ...world.config, policy: TWO_OF_THREE }, clock: () => now })(payload);
    const link = Object.fromEntries(world.mailer.outbox.map((m) => [m.to[0]!, linkIn(m)]));
    return { payload, link };
  }
  const approve = (l: Link) => api(event('POST', l.id, { sig: l.sig, decision: 'approve' }));
  const reject = (l: Link, comment?: string) => api(event('POST', l.id, { sig: l.sig, decision: 'reject', ...(comment ? { comment } : {}) }));
  const open = (l: Link) => api(event('GET', l.id, { sig: l.sig }));
  const deliveries = (payload: RequestApprovalPayload) => world.callback.delivered.filter((d) => d.taskToken === payload.taskToken);
  const auditTypes = async (payload: RequestApprovalPayload) => (await world.audit.list(payload.state.purchaseId)).map((e) => e.type);
  /** What the money steps would conclude, with the same policy as their own. */
  const verdict = async (payload: RequestApprovalPayload) =>
    checkApproval(await gatherApprovalEvidence({ ...world, policy: TWO_OF_THREE }, payload.state, payload.state.quote!));

  it('asks all three, saying two must approve, and waits for the second approval before the workflow hears anything', async () => {
    const { payload, link } = await round('q-two');
    expect(Object.keys(link).sort()).toEqual([ALICE, BOB, CAROL]);
    expect(world.mailer.outbox[0]!.text).toContain('Approvals needed: 2 distinct approvers of the 3 asked; yours counts once');
    expect((await open(link[BOB]!)).body).toContain('2 distinct approvers; 0 so far');

    const first = await approve(link[ALICE]!);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Approval recorded');
    expect(first.body).toContain('1 more, from: bob@example.com, carol@example.com');
    expect(deliveries(payload)).toEqual([]);
    expect(await verdict(payload)).toMatchObject({ verified: false, reason: expect.stringMatching(/1 of the 2 distinct approvals/) });
    expect(await world.purchases.get(payload.state.purchaseId)).toMatchObject({
      status: 'AWAITING_APPROVAL',
      pendingApproval: { approvers: [BOB, CAROL], approvalsNeeded: 1, approvedBy: [ALICE] },
    });
    // The confirm page of the others shows who approved so far.
    expect((await open(link[CAROL]!)).body).toContain('2 distinct approvers; 1 so far (alice@example.com)');

    now = new Date(now.getTime() + 60_000);
    const second = await approve(link[BOB]!);
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Purchase approved');
    expect(deliveries(payload)).toEqual([
      { taskToken: payload.taskToken, output: expect.objectContaining({ decision: 'APPROVED', approver: BOB, approvers: [ALICE, BOB] }) },
    ]);
    // The requester hears once, when the round is decided, not at the first approval.
    expect(await auditTypes(payload)).toEqual(['APPROVAL_SENT', 'APPROVAL_COUNTED', 'APPROVAL_DECIDED', 'REQUESTER_NOTIFIED']);
    expect(await verdict(payload)).toMatchObject({ verified: true, approver: `${ALICE}, ${BOB}` });

    // Every other link now refuses, and the third approver's decision changes nothing.
    expect((await reject(link[CAROL]!)).statusCode).toBe(409);
    expect((await open(link[CAROL]!)).statusCode).toBe(409);
    expect(deliveries(payload)).toHaveLength(1);
    expect(await verdict(payload)).toMatchObject({ verified: true });
  });

  it('counts an approver once, however many links they hold', async () => {
    const { payload, link } = await round('q-once');
    expect((await approve(link[ALICE]!)).statusCode).toBe(200);
    // A second link for alice in the same round (as a reminder or resend mints).
    const [record] = await Promise.all([world.approvals.get(link[ALICE]!.id)]);
    const again = await mintApprovalLink(world.approvals, { ...record!, createdAt: now.toISOString() }, SIGNING_KEY, world.config.baseUrl);
    const sig = new URL(again.url).searchParams.get('sig')!;

    const page = await api(event('GET', again.approvalId, { sig }));
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('already approved it through another link');
    expect((await api(event('POST', again.approvalId, { sig, decision: 'approve' }))).statusCode).toBe(409);
    expect((await world.approvals.get(again.approvalId))?.status).toBe('PENDING');
    expect(deliveries(payload)).toEqual([]);
    expect(await verdict(payload)).toMatchObject({ verified: false });
  });

  it.each([1, 2, 3, 4])("never lets an approver's approve in a second tab, after their reject through the same link, count alone (run %s)", async (run) => {
    const { payload, link } = await round(`q-two-tabs-${run}`);
    const pages = await Promise.all([reject(link[BOB]!, 'no'), approve(link[BOB]!)]);
    expect(pages.some((p) => p.statusCode === 409)).toBe(true);
    // Whichever of the two got through, nothing approves the round on one approval.
    expect(deliveries(payload).filter((d) => (d.output as { decision: string }).decision === 'APPROVED')).toEqual([]);
    expect(await verdict(payload)).toMatchObject({ verified: false });
    // And the round is not stuck: if the reject did not decide it, the others still can.
    if (deliveries(payload).length === 0) {
      await approve(link[ALICE]!);
      expect(deliveries(payload)).toEqual([
        { taskToken: payload.taskToken, output: expect.objectContaining({ decision: 'APPROVED', approvers: [ALICE, BOB] }) },
      ]);
    }
  });

  it('ends on a rejection by the second approver, with the comment, and never counts as approved', async () => {
    const { payload, link } = await round('q-reject');
    await approve(link[ALICE]!);
    const res = await reject(link[BOB]!, 'not this quarter');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Purchase rejected');
    expect(deliveries(payload)).toEqual([
      { taskToken: payload.taskToken, output: expect.objectContaining({ decision: 'REJECTED', approver: BOB, comment: 'not this quarter' }) },
    ]);
    expect((await approve(link[CAROL]!)).statusCode).toBe(409);
    expect(await verdict(payload)).toMatchObject({ verified: false, reason: expect.stringMatching(/bob@example\.com rejected it/) });
  });

  it('delivers exactly one decision when the last two approvers click at the same moment', async () => {
    const { payload, link } = await round('q-race');
    await approve(link[ALICE]!);
    const pages = await Promise.all([approve(link[BOB]!), approve(link[CAROL]!)]);
    // One completes the round; the other was counted but finds the round decided.
    expect(pages.map((p) => p.statusCode).sort()).toEqual([200, 409]);
    expect(deliveries(payload)).toHaveLength(1);
    expect(deliveries(payload)[0]!.output).toMatchObject({ decision: 'APPROVED' });
    expect((await auditTypes(payload)).filter((t) => t === 'APPROVAL_DECIDED')).toHaveLength(1);
    expect(await verdict(payload)).toMatchObject({ verified: true });
  });

  it.each([1, 2, 3, 4, 5])(
    'an approval completing the round and a rejection at the same moment end one way, and the money steps agree (run %s)',
    async (run) => {
      const { payload, link } = await round(`q-clash-${run}`);
      await approve(link[ALICE]!);
      await Promise.all([approve(link[BOB]!), reject(link[CAROL]!)]);
      const delivered = deliveries(payload);
      expect(delivered).toHaveLength(1);
      const decision = (delivered[0]!.output as { decision: string }).decision;
      expect((await verdict(payload)).verified).toBe(decision === 'APPROVED');
    },
  );

  it('answers a link of a round a re-quote replaced as expired, deciding and counting nothing', async () => {
    const { payload, link } = await round('q-replaced');
    await approve(link[ALICE]!);
    // A re-quote asked again: a new round (another task token) replaced this one.
    const replaced = await world.rounds.get(payload.state.purchaseId);
    const { purchaseId, sentAt, expiresAt, summary } = replaced!;
    await world.rounds.open({ purchaseId, sentAt, expiresAt, summary, taskToken: `${payload.taskToken}-requote`, approvers: [ALICE, BOB, CAROL], required: 2 });
    const before = await world.purchases.get(payload.state.purchaseId);

    const res = await approve(link[BOB]!);
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('asked about again');
    expect(deliveries(payload)).toEqual([]);
    expect(await world.purchases.get(payload.state.purchaseId)).toMatchObject({ status: before!.status });
    expect((await world.rounds.get(payload.state.purchaseId))?.approvedBy ?? []).toEqual([]);
    expect(await auditTypes(payload)).not.toContain('APPROVAL_DECIDED');
  });

  it('finishes an approval cut off between its record and its count when the link is posted again', async () => {
    const { payload, link } = await round('q-crash');
    await approve(link[ALICE]!);
    // Bob's request stopped right after its record said APPROVED (no count, no claim).
    await world.doc.send(
      new UpdateCommand({
        TableName: db.stateTable,
        Key: { pk: `APPROVAL#${link[BOB]!.id}`, sk: 'APPROVAL' },
        UpdateExpression: 'SET #s = :a, decidedAt = :at',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':a': 'APPROVED', ':at': now.toISOString() },
      }),
    );
    // Within the redelivery guard the page says where it stands, without delivering.
    expect((await approve(link[BOB]!)).body).toContain('Approval recorded');
    expect(deliveries(payload)).toEqual([]);

    now = new Date(now.getTime() + 30_000);
    const res = await approve(link[BOB]!);
    expect(res.body).toContain('Purchase approved');
    expect(deliveries(payload)).toEqual([{ taskToken: payload.taskToken, output: expect.objectContaining({ decision: 'APPROVED', approvers: [ALICE, BOB] }) }]);
    expect(await verdict(payload)).toMatchObject({ verified: true });
  });
});
