import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoApprovalRounds } from '../../lambdas/adapters/aws/dynamo-approval-rounds';
import type { ApprovalRound } from '../../lambdas/core/ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

// The rounds store on dynalite: each mark applies once, only to the round it names.
describe('DynamoApprovalRounds', () => {
  let db: LocalDynamo;
  let rounds: DynamoApprovalRounds;
  beforeAll(async () => {
    db = await startLocalDynamo();
    rounds = new DynamoApprovalRounds(db.doc, db.stateTable);
  });
  afterAll(async () => db.close());

  const input = (purchaseId: string, taskToken = `token-${purchaseId}`): Omit<ApprovalRound, 'round' | 'remindersSent'> => ({
    purchaseId,
    taskToken,
    sentAt: '2030-03-01T10:00:00.000Z',
    expiresAt: '2030-03-04T09:59:00.000Z',
    approvers: ['a@acme.test'],
    summary: { vendor: 'cocalc', item: 'x', amountUsd: 1, requester: { name: 'R', email: 'r@acme.test' }, reason: 'r' },
  });

  it('applies each mark once, and a reminder only from the count it read', async () => {
    const round = await rounds.open(input('pur-r1'));
    expect(await Promise.all([rounds.mark(round, { kind: 'reminder', from: 0, to: 1 }), rounds.mark(round, { kind: 'reminder', from: 0, to: 1 })])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(await rounds.mark(round, { kind: 'escalation', at: '2030-03-02T10:00:00.000Z', approvers: ['b@acme.test'] })).toBe(true);
    expect(await rounds.mark(round, { kind: 'escalation', at: '2030-03-02T10:05:00.000Z', approvers: ['b@acme.test'] })).toBe(false);
    expect(await rounds.mark(round, { kind: 'resend', at: '2030-03-02T11:00:00.000Z', notBefore: '2030-03-02T10:55:00.000Z' })).toBe(true);
    expect(await rounds.mark(round, { kind: 'resend', at: '2030-03-02T11:01:00.000Z', notBefore: '2030-03-02T10:56:00.000Z' })).toBe(false);
    expect(await rounds.mark(round, { kind: 'resend', at: '2030-03-02T11:06:00.000Z', notBefore: '2030-03-02T11:01:00.000Z' })).toBe(true);
    expect(await rounds.get('pur-r1')).toMatchObject({
      remindersSent: 1,
      escalatedAt: '2030-03-02T10:00:00.000Z',
      escalationApprovers: ['b@acme.test'],
      resentAt: '2030-03-02T11:06:00.000Z',
    });
  });

  it('keeps the round a retried request opened, and lets a new request (new token) replace it, so marks of the old one apply to nothing', async () => {
    const first = await rounds.open(input('pur-r2'));
    expect(await rounds.mark(first, { kind: 'reminder', from: 0, to: 1 })).toBe(true);
    expect(await rounds.open({ ...input('pur-r2'), sentAt: '2030-03-01T10:00:05.000Z' })).toMatchObject({
      round: first.round,
      remindersSent: 1,
      sentAt: '2030-03-01T10:00:00.000Z',
    });

    const second = await rounds.open(input('pur-r2', 'another-token'));
    expect(second.round).not.toBe(first.round);
    expect(await rounds.mark(first, { kind: 'escalation', at: 'x', approvers: [] })).toBe(false);
    expect(await rounds.get('pur-r2')).toMatchObject({ round: second.round, remindersSent: 0 });
    expect(await rounds.decided(second)).toBe(false);
  });
});
