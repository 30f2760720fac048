import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyApprovalSignature } from '../../lambdas/core/approval-link';
import { InvalidRequestError } from '../../lambdas/core/errors';
import { linkLifetimeMs, makeHandler } from '../../lambdas/handlers/request-approval';
import { approvalWorld, APPROVERS, everything, linkIn, purchaseAwaitingApproval, SIGNING_KEY, type ApprovalWorld } from '../support/approval-fixture';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

// DynamoDB is real (dynalite); SES is an in-memory fake of the Mailer port.
describe('RequestApproval handler', () => {
  let db: LocalDynamo;
  let world: ApprovalWorld;
  const NOW = new Date('2030-03-01T10:00:00.000Z');
  beforeAll(async () => {
    db = await startLocalDynamo();
    world = approvalWorld(db);
  });
  afterAll(async () => db.close());

  const handler = () => makeHandler({ ...world, clock: () => NOW });

  it('mails each approver their own signed link to a pending record that holds the token', async () => {
    const payload = await purchaseAwaitingApproval(world, 'ra-1');
    world.mailer.outbox.length = 0;

    await handler()(payload);

    expect(world.mailer.outbox.map((m) => m.to)).toEqual(APPROVERS.map((a) => [a]));
    for (const [i, mail] of world.mailer.outbox.entries()) {
      const { id, sig } = linkIn(mail);
      const record = await world.approvals.get(id);
      expect(record).toMatchObject({ approver: APPROVERS[i], taskToken: payload.taskToken, status: 'PENDING', purchaseId: payload.state.purchaseId });
      expect(verifyApprovalSignature({ approvalId: id, approver: record!.approver, expiresAt: record!.expiresAt }, sig, SIGNING_KEY)).toBe(true);
      expect(record!.expiresAt).toBe(new Date(NOW.getTime() + linkLifetimeMs(3600)).toISOString());
    }
  });

  it('writes vendor, item, cost, requester, reason, budget left and expiry into the mail, but never the token', async () => {
    const payload = await purchaseAwaitingApproval(world, 'ra-2');
    world.mailer.outbox.length = 0;

    await handler()(payload);

    const mail = world.mailer.outbox[0]!;
    for (const text of [
      'CoCalc',
      'academic, monthly',
      '$12.50',
      'Ada Lovelace',
      'Course project for CS101',
      '$100.00 left this month',
      '2030-03-01 10:59 UTC',
    ]) {
      expect(mail.text).toContain(text);
    }
    expect(JSON.stringify(mail)).not.toContain(payload.taskToken);
  });

  it('audits APPROVAL_SENT with approvers and expiry, never the token or a signature, and marks the purchase', async () => {
    const payload = await purchaseAwaitingApproval(world, 'ra-3');
    world.mailer.outbox.length = 0;

    await handler()(payload);

    const [entry] = await world.audit.list(payload.state.purchaseId);
    expect(entry).toMatchObject({ type: 'APPROVAL_SENT', status: 'AWAITING_APPROVAL', detail: { approvers: APPROVERS } });
    const { audit } = await everything(world, db);
    expect(audit).not.toContain(payload.taskToken);
    for (const mail of world.mailer.outbox) expect(audit).not.toContain(linkIn(mail).sig);
    expect(audit).not.toContain(SIGNING_KEY);
    expect((await world.purchases.get(payload.state.purchaseId))?.status).toBe('AWAITING_APPROVAL');
  });

  it('records on the purchase who still has to decide and until when (GET /purchases shows it)', async () => {
    const payload = await purchaseAwaitingApproval(world, 'ra-pending');

    await handler()(payload);

    expect((await world.purchases.get(payload.state.purchaseId))?.pendingApproval).toEqual({
      approvers: APPROVERS,
      expiresAt: new Date(NOW.getTime() + linkLifetimeMs(3600)).toISOString(),
    });
  });

  it('leaves a purchase closed meanwhile in its final status when it runs after its task timed out', async () => {
    const payload = await purchaseAwaitingApproval(world, 'ra-late');
    await world.purchases.update(payload.state.purchaseId, { status: 'EXPIRED' });

    await handler()(payload);

    expect((await world.purchases.get(payload.state.purchaseId))?.status).toBe('EXPIRED');
  });

  it('leaves a purchase decided meanwhile as it is: an approver may answer the mail before this run writes its status', async () => {
    for (const status of ['APPROVED', 'PURCHASING'] as const) {
      const payload = await purchaseAwaitingApproval(world, `ra-fast-${status}`);
      await world.purchases.update(payload.state.purchaseId, { status });

      await handler()(payload);

      expect((await world.purchases.get(payload.state.purchaseId))?.status).toBe(status);
      expect((await world.audit.list(payload.state.purchaseId)).map((e) => e.type)).toContain('APPROVAL_SENT');
    }
  });

  it('says the vendor total changed and asks again when the state carries a mismatch', async () => {
    const payload = await purchaseAwaitingApproval(world, 'ra-4');
    payload.state.mismatch = { Error: 'QuoteMismatchError', Cause: 'vendor total $14.00 differs from the approved $12.50' };
    world.mailer.outbox.length = 0;

    await handler()(payload);

    expect(world.mailer.outbox[0]?.subject).toMatch(/^Changed total/);
    expect(world.mailer.outbox[0]?.text).toContain('vendor total $14.00 differs from the approved $12.50');
  });

  it("shows only the error message of a Lambda error's Cause (JSON with a stack trace), never the trace", async () => {
    const payload = await purchaseAwaitingApproval(world, 'ra-4b');
    const cause = JSON.stringify({
      errorType: 'QuoteMismatchError',
      errorMessage: 'vendor total $14.00 differs from the approved $12.50',
      trace: ['QuoteMismatchError: vendor total', '    at Checkout.run (/var/task/index.js:1:2345)'],
    });
    payload.state.mismatch = { Error: 'QuoteMismatchError', Cause: cause };
    world.mailer.outbox.length = 0;

    await handler()(payload);

    const text = world.mailer.outbox[0]?.text ?? '';
    expect(text).toContain('vendor total $14.00 differs from the approved $12.50');
    expect(text).not.toContain('/var/task/index.js');
    expect(text).not.toContain('errorType');
  });

  it('refuses a payload without a task token and sends nothing', async () => {
    const payload = await purchaseAwaitingApproval(world, 'ra-5');
    world.mailer.outbox.length = 0;

    await expect(handler()({ ...payload, taskToken: '' })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(world.mailer.outbox).toEqual([]);
  });
});
