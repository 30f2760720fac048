import { describe, expect, it } from 'vitest';
import {
  approvalsRequired,
  approversToAsk,
  autoApprovePolicy,
  countedApprovers,
  describeTier,
  isApprovedByPolicy,
  policyIssues,
  tierFor,
  type ApprovalPolicy,
} from '../../lambdas/core/approval-policy';

const A = 'a@example.com';
const B = 'b@example.com';
const C = 'c@example.com';
const CFO = 'cfo@example.com';

/** The issue's example: up to $50 by policy, up to $500 any one approver, above that two of finance. */
const POLICY: ApprovalPolicy = {
  tiers: [
    { upToUsd: 50, approvals: 0, approvers: [] },
    { upToUsd: 500, approvals: 1, approvers: [A, B] },
    { approvals: 2, approvers: [CFO, C] },
  ],
  escalationApprovers: ['boss@example.com'],
};

describe('approval policy by amount', () => {
  it.each<[number, boolean, number, number, readonly string[]]>([
    // amount, re-quoted, tier (1-based), approvals needed, asked
    [0, false, 1, 0, [A, B]],
    [50, false, 1, 0, [A, B]],
    [50.01, false, 2, 1, [A, B]],
    [500, false, 2, 1, [A, B]],
    [500.01, false, 3, 2, [CFO, C]],
    [1_000_000, false, 3, 2, [CFO, C]],
    // A re-quote never skips the person: a 0-approval tier needs one, from the first tier that asks.
    [10, true, 1, 1, [A, B]],
    [700, true, 3, 2, [CFO, C]],
  ])('$%s (re-quoted %s) falls in tier %s, needs %s, asks %j', (amount, requoted, tier, needed, asked) => {
    expect(tierFor(POLICY, amount).index + 1).toBe(tier);
    expect(approvalsRequired(POLICY, amount, requoted)).toBe(needed);
    expect(isApprovedByPolicy(POLICY, amount, requoted)).toBe(needed === 0);
    expect(approversToAsk(POLICY, amount)).toEqual(asked);
  });

  it('the old auto-approve limit is a two-tier policy, to the cent; a negative limit always asks', () => {
    expect(isApprovedByPolicy(autoApprovePolicy(5, [A]), 5, false)).toBe(true);
    expect(isApprovedByPolicy(autoApprovePolicy(5, [A]), 5.01, false)).toBe(false);
    expect(isApprovedByPolicy(autoApprovePolicy(-1, [A]), 0, false)).toBe(false);
    expect(isApprovedByPolicy(autoApprovePolicy(100, [A]), 1, true)).toBe(false);
    expect(autoApprovePolicy(-1, [A]).tiers).toEqual([{ approvals: 1, approvers: [A] }]);
  });

  it('counts the escalation approvers in every tier, each person once whatever the case', () => {
    expect(countedApprovers({ ...POLICY, escalationApprovers: ['Boss@Example.com', 'cfo@EXAMPLE.com'] }, POLICY.tiers[2]!)).toEqual([
      CFO,
      C,
      'boss@example.com',
    ]);
  });

  it('describes each tier in words', () => {
    expect([0, 100, 900].map((usd) => describeTier(POLICY, tierFor(POLICY, usd)))).toEqual([
      'tier 1 (up to $50.00): no approver (approved by policy)',
      'tier 2 (above $50.00 up to $500.00): any 1 of 3 approvers',
      'tier 3 (above $500.00): 2 distinct approvers of 3',
    ]);
  });

  it.each<[string, ApprovalPolicy, RegExp]>([
    ['no tier', { tiers: [], escalationApprovers: [] }, /needs at least one tier/],
    [
      'an open tier before the last',
      {
        tiers: [
          { approvals: 1, approvers: [A] },
          { approvals: 1, approvers: [A] },
        ],
        escalationApprovers: [],
      },
      /approvalTiers\[0\]\.upToUsd: required/,
    ],
    [
      'a last tier with an upper bound',
      { tiers: [{ upToUsd: 5, approvals: 1, approvers: [A] }], escalationApprovers: [] },
      /last tier takes every larger amount/,
    ],
    [
      'bounds not ascending',
      {
        tiers: [
          { upToUsd: 50, approvals: 0, approvers: [] },
          { upToUsd: 50, approvals: 1, approvers: [A] },
          { approvals: 1, approvers: [A] },
        ],
        escalationApprovers: [],
      },
      /approvalTiers\[1\]\.upToUsd: 50 must be above the previous tier's 50/,
    ],
    [
      'a bound in fractions of a cent',
      {
        tiers: [
          { upToUsd: 0.005, approvals: 0, approvers: [] },
          { approvals: 1, approvers: [A] },
        ],
        escalationApprovers: [],
      },
      /whole cents/,
    ],
    [
      'more approvals than people who count',
      { tiers: [{ approvals: 3, approvers: [A, B] }], escalationApprovers: [] },
      /needs 3 distinct approvals but only 2 people can approve it/,
    ],
    ['a tier that asks nobody', { tiers: [{ approvals: 1, approvers: [] }], escalationApprovers: [] }, /needs approvers to ask/],
    ['a fractional approval count', { tiers: [{ approvals: 1.5, approvers: [A, B] }], escalationApprovers: [] }, /whole number from 0 to 10/],
  ])('refuses %s', (_name, policy, expected) => {
    expect(policyIssues(policy).join('\n')).toMatch(expected);
  });

  it('accepts the issue example and the escalation making a quorum reachable', () => {
    expect(policyIssues(POLICY)).toEqual([]);
    expect(policyIssues({ tiers: [{ approvals: 2, approvers: [A] }], escalationApprovers: [B] })).toEqual([]);
  });
});
