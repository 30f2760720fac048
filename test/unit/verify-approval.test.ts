import { describe, expect, it } from 'vitest';
import type { AuditKind } from '../../lambdas/core/audit-kinds';
import type { ApprovalRecord, AuditEntry, AuditEntryInput, AuditLog } from '../../lambdas/core/ports';
import { ApprovalNotVerifiedError, checkApproval, verifyApproval, type ApprovalEvidence } from '../../lambdas/core/verify-approval';
import type { WorkflowState } from '../../lambdas/core/workflow';

const PID = 'pur-1';
const record = (over: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  approvalId: 'a1',
  purchaseId: PID,
  approver: 'boss@example.com',
  taskToken: 't',
  expiresAt: '2026-12-01T00:00:00.000Z',
  status: 'APPROVED',
  createdAt: '2026-11-30T00:00:00.000Z',
  decidedAt: '2026-11-30T01:00:00.000Z',
  summary: { vendor: 'cocalc', item: 'x', amountUsd: 42.5, requester: { name: 'R', email: 'r@example.com' }, reason: 'r' },
  ...over,
});
const human = (over: Partial<ApprovalEvidence> = {}): ApprovalEvidence => ({
  purchaseId: PID,
  quote: { vendor: 'cocalc', amountUsd: 42.5, autoApprove: false },
  requoted: false,
  autoApproveMaxUsd: 50,
  quoted: { amountUsd: 42.5, autoApprove: false },
  round: { approvalIds: ['a1', 'a2'], amountUsd: 42.5 },
  records: [record()],
  ...over,
});
const auto = (over: Partial<ApprovalEvidence> = {}): ApprovalEvidence =>
  human({ quote: { vendor: 'cocalc', amountUsd: 42.5, autoApprove: true }, quoted: { amountUsd: 42.5, autoApprove: true }, round: undefined, records: [], ...over });

describe('checkApproval', () => {
  it.each<[string, ApprovalEvidence, RegExp | { approver: string }]>([
    ['a record decided APPROVED through the link for the quoted amount', human(), { approver: 'boss@example.com' }],
    ['the second approver of the round approved', human({ records: [record({ status: 'PENDING', decidedAt: undefined }), record({ approvalId: 'a2', approver: 'b2@example.com' })] }), { approver: 'b2@example.com' }],
    ['auto-approved within this step\'s own limit, as the audit trail says', auto(), { approver: 'auto-approve policy' }],
    ['auto-approved at exactly the limit', auto({ autoApproveMaxUsd: 42.5 }), { approver: 'auto-approve policy' }],
    ['no approval round (SendTaskSuccess before any mail)', human({ round: undefined, records: [] }), /no approval was requested/],
    ['the round\'s records are still PENDING (decision bypassed the link)', human({ records: [record({ status: 'PENDING', decidedAt: undefined })] }), /no approver approved \$42\.50/],
    ['no record of the round exists', human({ records: [] }), /records: none/],
    ['a REJECTED record', human({ records: [record({ status: 'REJECTED' })] }), /rejected it/],
    ['an APPROVED record of another purchase', human({ records: [record({ purchaseId: 'pur-2' })] }), /no approver approved/],
    ['an APPROVED record outside the round', human({ records: [record({ approvalId: 'a9' })] }), /no approver approved/],
    ['an APPROVED record for another amount', human({ records: [record({ summary: { ...record().summary!, amountUsd: 40 } })] }), /no approver approved/],
    ['an APPROVED record for another vendor', human({ records: [record({ summary: { ...record().summary!, vendor: 'interserver' } })] }), /no approver approved/],
    ['an APPROVED record without a decision time', human({ records: [record({ decidedAt: undefined })] }), /no approver approved/],
    ['the round asked about another amount', human({ round: { approvalIds: ['a1'], amountUsd: 40 } }), /not for the quoted \$42\.50/],
    ['auto-approve above this step\'s own limit', auto({ autoApproveMaxUsd: 42.49 }), /above the auto-approve limit of \$42\.49/],
    ['auto-approve while this step\'s config says always ask', auto({ autoApproveMaxUsd: -1 }), /auto-approval is off/],
    ['auto-approve after a re-quote', auto({ requoted: true }), /re-quoted/],
    ['auto-approve the audit trail does not show', auto({ quoted: { amountUsd: 42.5, autoApprove: false } }), /no quote of \$42\.50 auto-approved/],
    ['auto-approve of another amount in the audit trail', auto({ quoted: { amountUsd: 10, autoApprove: true } }), /no quote of \$42\.50 auto-approved/],
    ['auto-approve without any QUOTED entry', auto({ quoted: undefined }), /no quote/],
  ])('%s', (_name, evidence, expected) => {
    const verdict = checkApproval(evidence);
    if (expected instanceof RegExp) {
      expect(verdict.verified).toBe(false);
      expect(verdict.verified ? '' : verdict.reason).toMatch(expected);
    } else {
      expect(verdict).toMatchObject({ verified: true, ...expected });
    }
  });
});

describe('verifyApproval', () => {
  function fakes(trail: AuditEntryInput[], records: ApprovalRecord[]) {
    const entries: AuditEntry[] = trail.map((e, i) => ({ ...e, purchaseId: PID, seq: `2026-11-30T00:00:0${i}.000Z#${i}`, at: '2026-11-30T00:00:00.000Z' }));
    const audit: AuditLog = {
      append: async (purchaseId, entry) => {
        const e = { ...entry, purchaseId, seq: `z${entries.length}`, at: 'now' };
        entries.push(e);
        return e;
      },
      list: async () => [...entries],
      listByStatus: async () => [],
    };
    return { entries, deps: { audit, approvals: { get: async (id: string) => records.find((r) => r.approvalId === id) }, autoApproveMaxUsd: 5 } };
  }
  const state: WorkflowState = {
    purchaseId: PID,
    request: {} as WorkflowState['request'],
    source: 'api',
    receivedAt: 'x',
    quote: { vendor: 'cocalc', amountUsd: 42.5, summary: 's', autoApprove: false },
    approval: { decision: 'APPROVED', approver: 'mallory', decidedAt: 'now' },
  };
  const QUOTED: AuditEntryInput = { type: 'QUOTED', status: 'QUOTED', detail: { amountUsd: 42.5, autoApprove: false } };
  const SENT: AuditEntryInput = { type: 'APPROVAL_SENT', status: 'AWAITING_APPROVAL', detail: { approvalIds: ['a1'], amountUsd: 42.5 } };

  it('passes with the round named after the latest quote and its APPROVED record', async () => {
    const { deps, entries } = fakes([QUOTED, SENT], [record()]);
    await expect(verifyApproval(deps, state, 'Checkout')).resolves.toBeUndefined();
    expect(entries.map((e) => e.type)).toEqual(['QUOTED', 'APPROVAL_SENT']);
  });

  it('ignores an approval round from before the latest quote (a re-quote not yet asked about)', async () => {
    const { deps, entries } = fakes([QUOTED, SENT, QUOTED], [record()]);
    await expect(verifyApproval(deps, state, 'Checkout')).rejects.toThrow(ApprovalNotVerifiedError);
    expect(entries.at(-1)).toMatchObject({ type: 'APPROVAL_NOT_VERIFIED', status: 'AWAITING_APPROVAL', detail: { step: 'Checkout', claimed: { approver: 'mallory' } } });
  });

  describe('links sent after the request (reminder, escalation, resend)', () => {
    const pending = record({ status: 'PENDING', decidedAt: undefined });
    const viaFollowUp = record({ approvalId: 'r1', approver: 'escalation@example.com' });
    const followUp = (type: AuditKind): AuditEntryInput => ({ type, status: 'AWAITING_APPROVAL', detail: { approvalIds: ['r1'], amountUsd: 42.5 } });

    it.each<AuditKind>(['APPROVAL_REMINDED', 'APPROVAL_ESCALATED', 'APPROVAL_RESENT'])('passes with the APPROVED record a %s entry of the same request names', async (type) => {
      const { deps } = fakes([QUOTED, SENT, followUp(type)], [pending, viaFollowUp]);
      await expect(verifyApproval(deps, state, 'Checkout')).resolves.toBeUndefined();
    });

    it('refuses one bound to another task token (another request)', async () => {
      const { deps } = fakes([QUOTED, SENT, followUp('APPROVAL_REMINDED')], [pending, { ...viaFollowUp, taskToken: 'other' }]);
      await expect(verifyApproval(deps, state, 'Checkout')).rejects.toThrow(ApprovalNotVerifiedError);
    });

    it('refuses one named before the latest request', async () => {
      const { deps } = fakes([QUOTED, followUp('APPROVAL_REMINDED'), SENT], [pending, viaFollowUp]);
      await expect(verifyApproval(deps, state, 'Checkout')).rejects.toThrow(ApprovalNotVerifiedError);
    });
  });

  it('audits and refuses a decision whose record is still PENDING', async () => {
    const { deps, entries } = fakes([QUOTED, SENT], [record({ status: 'PENDING', decidedAt: undefined })]);
    await expect(verifyApproval(deps, state, 'BuyLicense')).rejects.toThrow(/could not be verified/);
    expect(entries.filter((e) => e.type === 'APPROVAL_NOT_VERIFIED')).toHaveLength(1);
  });
});
