import { describe, expect, it } from 'vitest';
import { afterFirstDecision, choiceOf, MAX_COMMENT_CHARS, pastApproval, redelivery, type Redelivery } from '../../lambdas/core/approval-link-rules';
import type { ApprovalRecord, RoundQuorum } from '../../lambdas/core/ports';
import type { PurchaseStatus } from '../../lambdas/core/workflow';

/** What a POST of an approval link means (lambdas/core/approval-link-rules.ts), as tables: no records, no I/O. */

const mine: ApprovalRecord = {
  approvalId: 'ap-mine',
  purchaseId: 'pur-1',
  approver: 'ada@acme.test',
  taskToken: 'token',
  expiresAt: '2030-01-04T00:00:00.000Z',
  status: 'APPROVED',
  createdAt: '2030-01-01T00:00:00.000Z',
  decidedAt: '2030-01-01T01:00:00.000Z',
};

const quorum = (q: Partial<RoundQuorum>): RoundQuorum => ({ required: 2, approvedBy: ['ada@acme.test'], asked: ['ada@acme.test', 'bob@acme.test'], ...q });
const ONE = quorum({ required: 1, approvedBy: ['ada@acme.test'], decidedBy: 'ap-mine' });
const OPEN = quorum({});
const DECIDED_BY_ME = quorum({ approvedBy: ['ada@acme.test', 'bob@acme.test'], decidedBy: 'ap-mine' });
const DECIDED_ELSEWHERE = quorum({ approvedBy: ['ada@acme.test', 'bob@acme.test'], decidedBy: 'ap-bob' });
const REPLACED = quorum({ replaced: true });

describe("the form's choice", () => {
  it.each([
    [{ decision: 'approve' }, { decision: 'APPROVED', comment: undefined }],
    [
      { decision: 'reject', comment: '  too dear ' },
      { decision: 'REJECTED', comment: 'too dear' },
    ],
    [
      { decision: 'approve', comment: '   ' },
      { decision: 'APPROVED', comment: undefined },
    ],
    [{ decision: 'APPROVE' }, { refused: 'Choose Approve or Reject.' }],
    [{}, { refused: 'Choose Approve or Reject.' }],
    [
      { decision: 'approve', comment: 'x'.repeat(MAX_COMMENT_CHARS) },
      { decision: 'APPROVED', comment: 'x'.repeat(MAX_COMMENT_CHARS) },
    ],
    [{ decision: 'approve', comment: 'x'.repeat(MAX_COMMENT_CHARS + 1) }, { refused: `The comment is longer than ${MAX_COMMENT_CHARS} characters.` }],
  ] as Array<[Record<string, string>, ReturnType<typeof choiceOf>]>)('%j -> %j', (form, expected) => {
    expect(choiceOf(form)).toEqual(expected);
  });
});

describe('a first decision on a purchase that went past its approval', () => {
  it.each([
    [undefined, undefined],
    ['AWAITING_APPROVAL', undefined],
    ['IN_CART', undefined],
    ['EXPIRED', { page: 'expired' }],
    ['INTERRUPTED', { page: 'expired' }],
    ['APPROVED', { page: 'already-decided', detail: 'The purchase is now approved.' }],
    ['NEEDS_ATTENTION', { page: 'already-decided', detail: 'The purchase is now needs attention.' }],
    ['COMPLETED', { page: 'already-decided', detail: 'The purchase is now completed.' }],
  ] as Array<[PurchaseStatus | undefined, ReturnType<typeof pastApproval>]>)('%s -> %j', (status, expected) => {
    expect(pastApproval(status)).toEqual(expected);
  });
});

describe('a first decision, written', () => {
  it.each([
    ['a rejection (no quorum read)', undefined, 'apply'],
    ['an approval that is the only one needed', ONE, 'apply'],
    ['one approval of two, the round still open', OPEN, 'count'],
    ['the approval that completes the round and holds its claim', DECIDED_BY_ME, 'apply'],
    ['an approval completing a round another link claimed', DECIDED_ELSEWHERE, 'count'],
    ['an approval of a round asked again since', REPLACED, 'round-replaced'],
  ] as const)('%s -> %s', (_what, q, expected) => {
    expect(afterFirstDecision(mine, q)).toBe(expected);
  });
});

describe('a link that already decided, posted again', () => {
  const SOON = { sinceDecisionMs: 1_000, redeliverAfterMs: 30_000 };
  const LATER = { sinceDecisionMs: 60_000, redeliverAfterMs: 30_000 };
  it.each([
    // Within the window the request that decided owns the delivery: nothing is sent again.
    ['soon, one approval needed', ONE, undefined, SOON, 'show-decided'],
    ['soon, a rejection', undefined, undefined, SOON, 'show-decided'],
    ['soon, the round still open', OPEN, undefined, SOON, 'show-counted'],
    ['soon, decided through another link', DECIDED_ELSEWHERE, undefined, SOON, 'show-decided'],
    ['no decision time recorded', ONE, undefined, { sinceDecisionMs: Number.NaN, redeliverAfterMs: 30_000 }, 'show-decided'],
    // After it: a delivery that failed is completed; an approval cut off before it was counted is counted first.
    ['later, one approval needed', ONE, undefined, LATER, 'deliver'],
    ['later, a rejection', undefined, undefined, LATER, 'deliver'],
    ['later, the round still open: count it again', OPEN, undefined, LATER, 'tally'],
    ['later, counted and still open', OPEN, OPEN, LATER, 'show-counted'],
    ['later, counted and now decided by this link', OPEN, DECIDED_BY_ME, LATER, 'deliver'],
    ['later, counted and now decided through another link', OPEN, DECIDED_ELSEWHERE, LATER, 'decided-elsewhere'],
    // A tally that reads a round needing one approval (its round item gone) does not make this approval deliverable alone.
    [
      'later, counted, the tally no longer showing several: still one of several, counted',
      OPEN,
      quorum({ required: 1, approvedBy: [], asked: ['ada@acme.test'] }),
      LATER,
      'show-counted',
    ],
    [
      'later, counted, the tally showing one needed and decided through another link',
      OPEN,
      quorum({ required: 1, approvedBy: [], decidedBy: 'ap-bob' }),
      LATER,
      'decided-elsewhere',
    ],
    ['later, decided by this link', DECIDED_BY_ME, undefined, LATER, 'deliver'],
    ['later, decided through another link', DECIDED_ELSEWHERE, undefined, LATER, 'decided-elsewhere'],
    ['a round asked again since', REPLACED, undefined, LATER, 'show-decided'],
    ['a round asked again since, soon', REPLACED, undefined, SOON, 'show-decided'],
  ] as const)('%s', (_what, first, tallied, timing, expected: Redelivery) => {
    expect(redelivery({ current: mine, first, ...(tallied ? { tallied } : {}), ...timing })).toBe(expected);
  });
});
