import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signApprovalLink, verifyApprovalSignature } from '../../lambdas/core/approval-link';
import type { FollowUpReport } from '../../lambdas/core/approval-follow-up';
import { checkApproval, gatherApprovalEvidence } from '../../lambdas/core/verify-approval';
import type { RequestApprovalPayload } from '../../lambdas/core/workflow';
import { makeHandler as makeApprovalsApi } from '../../lambdas/handlers/approvals-api';
import { makeHandler } from '../../lambdas/handlers/approval-reminders';
import { makeHandler as makeRequestApproval } from '../../lambdas/handlers/request-approval';
import { approvalWorld, APPROVERS, everything, linkIn, purchaseAwaitingApproval, SIGNING_KEY, type ApprovalWorld } from '../support/approval-fixture';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

// DynamoDB is real (dynalite); SES and Step Functions are in-memory fakes of their ports.
const SENT = new Date('2030-03-01T10:00:00.000Z');
const after = (seconds: number): Date => new Date(SENT.getTime() + seconds * 1000);
const ESCALATION = 'carol@example.com';
const OPERATOR = 'arn:aws:iam::123456789012:user/operator';
// Links live 3540 s (a 3600 s timeout less its margin): a reminder 600 s before expiry is due at 2940 s.
const POLICY = { reminderOffsetsSeconds: [600], escalation: { approvers: [ESCALATION], delaySeconds: 1200 } };

function resendEvent(purchaseId: string, caller: string | undefined = OPERATOR): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource: '/purchases/{id}/approvals/resend',
    path: `/purchases/${purchaseId}/approvals/resend`,
    headers: {},
    pathParameters: { id: purchaseId },
    queryStringParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '198.51.100.7', ...(caller ? { userArn: caller } : {}) } },
  } as unknown as APIGatewayProxyEvent;
}

function decideEvent(id: string, sig: string): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource: '/approvals/{id}',
    path: `/approvals/${id}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    pathParameters: { id },
    queryStringParameters: null,
    body: new URLSearchParams({ sig, decision: 'approve' }).toString(),
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '198.51.100.7' } },
  } as unknown as APIGatewayProxyEvent;
}

describe('ApprovalReminders handler', () => {
  let db: LocalDynamo;
  let world: ApprovalWorld;
  beforeAll(async () => {
    db = await startLocalDynamo();
    world = approvalWorld(db);
  });
  afterAll(async () => db.close());

  const followUps = (now: Date) =>
    makeHandler({
      ...world,
      log: { warn: () => undefined },
      config: { sender: 'procure@example.com', baseUrl: 'https://api.example.com/prod', policy: POLICY },
      clock: () => now,
    });
  const sweep = async (now: Date): Promise<FollowUpReport> => (await followUps(now)({ source: 'procure.approval-follow-ups' })) as FollowUpReport;
  const resend = async (now: Date, purchaseId: string, caller?: string): Promise<APIGatewayProxyResult> =>
    (await followUps(now)(resendEvent(purchaseId, caller))) as APIGatewayProxyResult;

  /** RequestApproval for a new purchase at SENT; the outbox emptied. */
  async function requested(requestId: string): Promise<RequestApprovalPayload> {
    const payload = await purchaseAwaitingApproval(world, requestId);
    await makeRequestApproval({ ...world, clock: () => SENT })(payload);
    world.mailer.outbox.length = 0;
    return payload;
  }
  const typesOf = async (purchaseId: string) => (await world.audit.list(purchaseId)).map((e) => e.type);

  it('escalates after the delay, reminds everyone asked before expiry with fresh links, each once', async () => {
    const { taskToken, state } = await requested('fu-timeline');

    expect((await sweep(after(60))).actions.filter((a) => a.purchaseId === state.purchaseId)).toEqual([]);
    expect(world.mailer.outbox).toEqual([]);

    const escalated = await sweep(after(1300));
    expect(escalated.actions).toContainEqual({ purchaseId: state.purchaseId, done: ['escalated'] });
    expect(world.mailer.outbox.map((m) => m.to)).toEqual([[ESCALATION]]);
    const escalationMail = world.mailer.outbox[0]!;
    expect(escalationMail.subject).toMatch(/^Escalated, approve purchase: CoCalc \$12\.50/);
    const link = linkIn(escalationMail);
    const record = await world.approvals.get(link.id);
    expect(record).toMatchObject({ approver: ESCALATION, taskToken, status: 'PENDING', purchaseId: state.purchaseId });
    expect(record!.expiresAt).toBe(after(3540).toISOString());
    expect(verifyApprovalSignature({ approvalId: link.id, approver: ESCALATION, expiresAt: record!.expiresAt }, link.sig, SIGNING_KEY)).toBe(true);
    expect((await world.purchases.get(state.purchaseId))?.pendingApproval?.approvers).toEqual([...APPROVERS, ESCALATION]);

    world.mailer.outbox.length = 0;
    await sweep(after(1400));
    expect(world.mailer.outbox).toEqual([]);

    const reminded = await sweep(after(2950));
    expect(reminded.actions).toContainEqual({ purchaseId: state.purchaseId, done: ['reminded'] });
    expect(world.mailer.outbox.map((m) => m.to[0]).sort()).toEqual([...APPROVERS, ESCALATION].sort());
    for (const mail of world.mailer.outbox) {
      expect(mail.subject).toMatch(/^Reminder, approve purchase:/);
      expect(mail.text).toContain('Budget left: $100.00 of $100.00 left this month for CoCalc');
      expect(mail.text).toContain('Nobody has approved or rejected it yet.');
    }
    world.mailer.outbox.length = 0;
    await sweep(after(3000));
    await sweep(after(3600));
    expect(world.mailer.outbox).toEqual([]);

    const trail = await world.audit.list(state.purchaseId);
    expect(trail.map((e) => e.type)).toEqual(['APPROVAL_SENT', 'APPROVAL_ESCALATED', 'APPROVAL_REMINDED']);
    expect(trail[2]).toMatchObject({ status: 'AWAITING_APPROVAL', actor: 'system', detail: { approvers: [...APPROVERS, ESCALATION], offsetSeconds: 600 } });
    const { audit, state: stateItems } = await everything(world, db);
    expect(audit).not.toContain(taskToken);
    expect(audit).not.toContain(link.sig);
    expect(JSON.stringify(escalationMail)).not.toContain(taskToken);
    // The token stays in the state table: on the approval records and the round, nowhere else.
    expect(stateItems).toContain(taskToken);
  });

  it('lets an escalation link decide the purchase, after which every other link of it refuses and nothing more is sent', async () => {
    const { taskToken, state } = await requested('fu-decide');
    const original = await world.approvals.get(((await world.audit.list(state.purchaseId))[0]!.detail!.approvalIds as string[])[0]!);
    await sweep(after(1300));
    const escalation = linkIn(world.mailer.outbox.find((m) => m.to[0] === ESCALATION)!);
    world.mailer.outbox.length = 0;

    const api = makeApprovalsApi({ ...world, clock: () => after(1500) });
    const decided = await api(decideEvent(escalation.id, escalation.sig));
    expect(decided.statusCode).toBe(200);
    expect(world.callback.delivered.filter((d) => d.taskToken === taskToken)).toEqual([
      { taskToken, output: expect.objectContaining({ decision: 'APPROVED', approver: ESCALATION }) },
    ]);

    // The money steps accept it: the escalation's audit entry names the link, bound to the round's token.
    const evidence = await gatherApprovalEvidence({ ...world, policy: autoApprovePolicy(-1, APPROVERS, [ESCALATION]) }, state, state.quote!);
    expect(checkApproval(evidence)).toMatchObject({ verified: true, approver: ESCALATION, approvalId: escalation.id });

    // The original approver's link now decides nothing.
    const originalSig = signApprovalLink({ approvalId: original!.approvalId, approver: original!.approver, expiresAt: original!.expiresAt }, SIGNING_KEY);
    const late = await api(decideEvent(original!.approvalId, originalSig));
    expect(late.statusCode).toBe(409);
    expect(world.callback.delivered.filter((d) => d.taskToken === taskToken)).toHaveLength(1);

    // The approval notice to the requester is the only mail since.
    expect(world.mailer.outbox.map((m) => m.to)).toEqual([['ada@example.com']]);
    world.mailer.outbox.length = 0;
    await sweep(after(2950));
    expect(world.mailer.outbox).toEqual([]);
    expect(await typesOf(state.purchaseId)).not.toContain('APPROVAL_REMINDED');
  });

  it('sends a due follow-up once when two runs overlap, and nothing for a decided round even if still listed as waiting', async () => {
    const { state } = await requested('fu-overlap');
    await Promise.all([sweep(after(1300)), sweep(after(1300))]);
    expect(world.mailer.outbox.map((m) => m.to)).toEqual([[ESCALATION]]);
    expect((await typesOf(state.purchaseId)).filter((t) => t === 'APPROVAL_ESCALATED')).toHaveLength(1);

    const link = linkIn(world.mailer.outbox[0]!);
    world.mailer.outbox.length = 0;
    expect((await makeApprovalsApi({ ...world, clock: () => after(1400) })(decideEvent(link.id, link.sig))).statusCode).toBe(200);
    world.mailer.outbox.length = 0;
    // As a stale index would show it: the round's decision claim still stops the reminder.
    await world.purchases.update(state.purchaseId, { status: 'AWAITING_APPROVAL' });
    await sweep(after(2950));
    expect(world.mailer.outbox).toEqual([]);
    expect((await resend(after(2950), state.purchaseId)).statusCode).toBe(409);
  });

  it('accepts one of two simultaneous resends and refuses the other as too soon', async () => {
    const { state } = await requested('fu-resend-race');
    const answers = await Promise.all([resend(after(100), state.purchaseId), resend(after(100), state.purchaseId)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 429]);
    expect(world.mailer.outbox.map((m) => m.to[0])).toEqual(APPROVERS);
    world.mailer.outbox.length = 0;
  });

  it('resends fresh links on request, at most once per five minutes, audited with the caller', async () => {
    const { state } = await requested('fu-resend');

    const first = await resend(after(100), state.purchaseId);
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toEqual({
      purchaseId: state.purchaseId,
      resentTo: APPROVERS,
      expiresAt: after(3540).toISOString(),
      resentAt: after(100).toISOString(),
    });
    expect(world.mailer.outbox.map((m) => m.to[0])).toEqual(APPROVERS);
    expect(world.mailer.outbox[0]!.subject).toMatch(/^Approve purchase \(sent again\):/);
    world.mailer.outbox.length = 0;

    const tooSoon = await resend(after(200), state.purchaseId);
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.headers).toMatchObject({ 'retry-after': '200' });
    expect(JSON.parse(tooSoon.body)).toMatchObject({ error: 'ResendTooSoonError', retryAfterSeconds: 200 });
    expect(world.mailer.outbox).toEqual([]);

    expect((await resend(after(400), state.purchaseId)).statusCode).toBe(200);
    const resent = (await world.audit.list(state.purchaseId)).filter((e) => e.type === 'APPROVAL_RESENT');
    expect(resent).toHaveLength(2);
    expect(resent[0]).toMatchObject({ actor: OPERATOR, status: 'AWAITING_APPROVAL', detail: { approvers: APPROVERS } });
  });

  it('refuses a resend for an unknown purchase (404), one not waiting for approval (409) and a caller without IAM identity (403)', async () => {
    expect((await resend(after(100), 'pur-0000')).statusCode).toBe(404);
    expect((await resend(after(100), 'no/such')).statusCode).toBe(404);
    const { state } = await requested('fu-resend-refusals');
    expect((await resend(after(100), state.purchaseId, '')).statusCode).toBe(403);
    await world.purchases.update(state.purchaseId, { status: 'APPROVED' });
    const refused = await resend(after(100), state.purchaseId);
    expect(refused.statusCode).toBe(409);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'ApprovalNotPendingError' });
    expect(world.mailer.outbox).toEqual([]);
  });
});
