import { autoApprovePolicy, type ApprovalPolicy } from '../../lambdas/core/approval-policy';
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
const BOSSES = ['boss@example.com', 'b2@example.com'];
/** The old single setting: approved by policy up to `limit`, else any one of the bosses. */
const upTo = (limit: number) => autoApprovePolicy(limit, BOSSES);
/** Up to $10 by policy; above it two of boss, b2 and b3, with esc asked on escalation. */
const TWO: ApprovalPolicy = {
  tiers: [
    { upToUsd: 10, approvals: 0, approvers: [] },
    { approvals: 2, approvers: [...BOSSES, 'b3@example.com'] },
  ],
  escalationApprovers: ['esc@example.com'],
};
const ROUND_OF_TWO = { approvalIds: ['a1', 'a2'], amountUsd: 42.5, approvalsNeeded: 2 };
const human = (over: Partial<ApprovalEvidence> = {}): ApprovalEvidence => ({
  purchaseId: PID,
  quote: { vendor: 'cocalc', amountUsd: 42.5, autoApprove: false },
  requoted: false,
  policy: upTo(50),
  quoted: { amountUsd: 42.5, autoApprove: false },
  round: { approvalIds: ['a1', 'a2'], amountUsd: 42.5, approvalsNeeded: 1 },
  records: [record()],
  ...over,
});
const auto = (over: Partial<ApprovalEvidence> = {}): ApprovalEvidence =>
  human({
    quote: { vendor: 'cocalc', amountUsd: 42.5, autoApprove: true },
    quoted: { amountUsd: 42.5, autoApprove: true },
    round: undefined,
    records: [],
    ...over,
  });

describe('checkApproval', () => {
  it.each<[string, ApprovalEvidence, RegExp | { approver: string; approvalId?: string }]>([
    ['a record decided APPROVED through the link for the quoted amount', human(), { approver: 'boss@example.com' }],
    [
      'the second approver of the round approved',
      human({ records: [record({ status: 'PENDING', decidedAt: undefined }), record({ approvalId: 'a2', approver: 'b2@example.com' })] }),
      { approver: 'b2@example.com' },
    ],
    ["auto-approved within this step's own limit, as the audit trail says", auto(), { approver: 'auto-approve policy' }],
    ['auto-approved at exactly the limit', auto({ policy: upTo(42.5) }), { approver: 'auto-approve policy' }],
    ['no approval round (SendTaskSuccess before any mail)', human({ round: undefined, records: [] }), /no approval was requested/],
    [
      "the round's records are still PENDING (decision bypassed the link)",
      human({ records: [record({ status: 'PENDING', decidedAt: undefined })] }),
      /no approver approved \$42\.50/,
    ],
    ['no record of the round exists', human({ records: [] }), /records: none/],
    ['a REJECTED record', human({ records: [record({ status: 'REJECTED' })] }), /rejected it/],
    ['an APPROVED record of another purchase', human({ records: [record({ purchaseId: 'pur-2' })] }), /no approver approved/],
    ['an APPROVED record outside the round', human({ records: [record({ approvalId: 'a9' })] }), /no approver approved/],
    ['an APPROVED record for another amount', human({ records: [record({ summary: { ...record().summary!, amountUsd: 40 } })] }), /no approver approved/],
    [
      'an APPROVED record for another vendor',
      human({ records: [record({ summary: { ...record().summary!, vendor: 'interserver' } })] }),
      /no approver approved/,
    ],
    ['an APPROVED record without a decision time', human({ records: [record({ decidedAt: undefined })] }), /no approver approved/],
    ['the round asked about another amount', human({ round: { approvalIds: ['a1'], amountUsd: 40 } }), /not for the quoted \$42\.50/],
    ["auto-approve above this step's own limit", auto({ policy: upTo(42.49) }), /\$42\.50 falls in tier 2 \(above \$42\.49\): any 1 of 2 approvers/],
    ["auto-approve while this step's config says always ask", auto({ policy: upTo(-1) }), /falls in tier 1 \(any amount\)/],
    ["auto-approve where this step's tier needs two", auto({ policy: TWO }), /falls in tier 2 \(above \$10\.00\): 2 distinct approvers of 4/],
    ['a round asking two, with one approval', human({ round: ROUND_OF_TWO }), /1 of the 2 distinct approvals the round asked for \$42\.50/],
    [
      'a round asking two, with two distinct approvals',
      human({ round: ROUND_OF_TWO, records: [record(), record({ approvalId: 'a2', approver: 'b2@example.com', decidedAt: '2026-11-30T02:00:00.000Z' })] }),
      { approver: 'boss@example.com, b2@example.com', approvalId: 'a2' },
    ],
    [
      'a round asking two, one approver through two links',
      human({ round: ROUND_OF_TWO, records: [record(), record({ approvalId: 'a2' })] }),
      /1 of the 2 distinct approvals/,
    ],
    [
      'a round asking two, one approver in two spellings',
      human({ round: ROUND_OF_TWO, records: [record(), record({ approvalId: 'a2', approver: 'Boss@Example.COM' })] }),
      /1 of the 2 distinct approvals/,
    ],
    [
      "a round asking two, the escalation approver's link counts",
      human({ round: ROUND_OF_TWO, records: [record(), record({ approvalId: 'a2', approver: 'esc@example.com' })] }),
      { approver: 'boss@example.com, esc@example.com' },
    ],
    [
      'a round asking two, two approvals and a rejection',
      human({
        round: { ...ROUND_OF_TWO, approvalIds: ['a1', 'a2', 'a3'] },
        records: [
          record(),
          record({ approvalId: 'a2', approver: 'b2@example.com' }),
          record({ approvalId: 'a3', approver: 'b3@example.com', status: 'REJECTED' }),
        ],
      }),
      /b3@example\.com rejected it/,
    ],
    ["a round asking two, whatever this step's policy says now (one)", human({ round: ROUND_OF_TWO, policy: upTo(-1) }), /1 of the 2 distinct approvals/],
    ['a round asking one, approved, after a deploy made the tier need two', human({ policy: TWO }), { approver: 'boss@example.com' }],
    ['a round that names no count (before tiers) needs one', human({ round: { approvalIds: ['a1'], amountUsd: 42.5 } }), { approver: 'boss@example.com' }],
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
    return {
      entries,
      deps: {
        audit,
        approvals: { get: async (id: string) => records.find((r) => r.approvalId === id) },
        policy: autoApprovePolicy(5, BOSSES, ['escalation@example.com']),
      },
    };
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
    expect(entries.at(-1)).toMatchObject({
      type: 'APPROVAL_NOT_VERIFIED',
      status: 'AWAITING_APPROVAL',
      detail: { step: 'Checkout', claimed: { approver: 'mallory' } },
    });
  });

  describe('links sent after the request (reminder, escalation, resend)', () => {
    const pending = record({ status: 'PENDING', decidedAt: undefined });
    const viaFollowUp = record({ approvalId: 'r1', approver: 'escalation@example.com' });
    const followUp = (type: AuditKind): AuditEntryInput => ({ type, status: 'AWAITING_APPROVAL', detail: { approvalIds: ['r1'], amountUsd: 42.5 } });

    it.each<AuditKind>(['APPROVAL_REMINDED', 'APPROVAL_ESCALATED', 'APPROVAL_RESENT'])(
      'passes with the APPROVED record a %s entry of the same request names',
      async (type) => {
        const { deps } = fakes([QUOTED, SENT, followUp(type)], [pending, viaFollowUp]);
        await expect(verifyApproval(deps, state, 'Checkout')).resolves.toBeUndefined();
      },
    );

    it('refuses one bound to another task token (another request)', async () => {
      const { deps } = fakes([QUOTED, SENT, followUp('APPROVAL_REMINDED')], [pending, { ...viaFollowUp, taskToken: 'other' }]);
      await expect(verifyApproval(deps, state, 'Checkout')).rejects.toThrow(ApprovalNotVerifiedError);
    });

    it('refuses one named before the latest request', async () => {
      const { deps } = fakes([QUOTED, followUp('APPROVAL_REMINDED'), SENT], [pending, viaFollowUp]);
      await expect(verifyApproval(deps, state, 'Checkout')).rejects.toThrow(ApprovalNotVerifiedError);
    });
  });

  it.each([
    { why: 'its item parked in the cart', cart: { itemId: 7 }, status: 'IN_CART' },
    { why: 'nothing in a cart', cart: undefined, status: 'RESERVED' },
  ])('audits a refused approval-by-policy claim at the status the purchase stands in: $why', async ({ cart, status }) => {
    const { deps, entries } = fakes([QUOTED], []);
    const claimed: WorkflowState = { ...state, quote: { ...state.quote!, autoApprove: true }, ...(cart ? { cart: cart as WorkflowState['cart'] } : {}) };
    await expect(verifyApproval(deps, claimed, 'Checkout')).rejects.toThrow(ApprovalNotVerifiedError);
    expect(entries.at(-1)).toMatchObject({ type: 'APPROVAL_NOT_VERIFIED', status });
  });

  it('audits and refuses a decision whose record is still PENDING', async () => {
    const { deps, entries } = fakes([QUOTED, SENT], [record({ status: 'PENDING', decidedAt: undefined })]);
    await expect(verifyApproval(deps, state, 'BuyLicense')).rejects.toThrow(/could not be verified/);
    expect(entries.filter((e) => e.type === 'APPROVAL_NOT_VERIFIED')).toHaveLength(1);
  });
});
