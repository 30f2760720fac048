import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalPolicyOf } from '../../lib/approval-policy-config';
import { configWarnings } from '../../lib/config-warnings';
import { ProcureConfigError, resolveProcureConfig } from '../../lib/resolve-config';
import { readProcureConfig } from '../../lib/read-config';
import { approvalPolicyConfig, ConfigError } from '../../lambdas/shared/config';
import { ENV } from '../../lambdas/shared/env-names';
import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statementsOf, synthProcure, type Synthesized } from './synth';

/**
 * Approval tiers by amount (issue #13 part 2) as configured: resolved at synth into the policy the
 * functions read, checked at synth (errors and CDK warnings) and again at cold start.
 */
const TIERS = [
  { upToUsd: 50, approvals: 0 },
  { upToUsd: 500, approvals: 1 },
  { approvals: 2, from: ['finance'] },
];
const LISTS = { finance: ['cfo@acme.test', 'controller@acme.test', 'treasurer@acme.test'] };
const tiered = { approverEmails: ['boss@acme.test'], approvalTiers: TIERS, approverLists: LISTS, approvalEscalationEmails: ['ceo@acme.test'] };

const outdir = mkdtempSync(join(tmpdir(), 'procure-tiers-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('approval tiers in the configuration', () => {
  it("resolve each tier's named lists into addresses; the escalation approvers count in every tier", () => {
    expect(approvalPolicyOf(resolveProcureConfig(tiered))).toEqual({
      tiers: [
        { upToUsd: 50, approvals: 0, approvers: [] },
        { upToUsd: 500, approvals: 1, approvers: ['boss@acme.test'] },
        { approvals: 2, approvers: LISTS.finance },
      ],
      escalationApprovers: ['ceo@acme.test'],
    });
  });

  it('default to what autoApproveMaxUsd says when unset', () => {
    expect(approvalPolicyOf(resolveProcureConfig({ autoApproveMaxUsd: 25, approverEmails: ['a@acme.test'] })).tiers).toEqual([
      { upToUsd: 25, approvals: 0, approvers: [] },
      { approvals: 1, approvers: ['a@acme.test'] },
    ]);
    expect(approvalPolicyOf(resolveProcureConfig({})).tiers).toEqual([{ approvals: 1, approvers: ['approver@example.com'] }]);
  });

  it('come from CDK context as JSON strings too', () => {
    const node = new App({ outdir, context: { 'procure:approvalTiers': JSON.stringify(TIERS), 'procure:approverLists': JSON.stringify(LISTS) } }).node;
    expect(readProcureConfig(node).approvalTiers).toEqual(TIERS);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown list', { approvalTiers: [{ approvals: 1, from: ['legal'] }] }, /approvalTiers\[0\]\.from: no approver list named "legal"/],
    [
      'more approvals than the list has people',
      { approvalTiers: [{ approvals: 4, from: ['finance'] }], approverLists: LISTS },
      /needs 4 distinct approvals but only 3 people/,
    ],
    [
      'tiers out of order',
      { approvalTiers: [{ upToUsd: 500, approvals: 1 }, { upToUsd: 50, approvals: 0 }, { approvals: 1 }] },
      /approvalTiers\[1\]\.upToUsd: 50 must be above the previous tier's 500/,
    ],
    ['a last tier with a bound', { approvalTiers: [{ upToUsd: 50, approvals: 1 }] }, /the last tier takes every larger amount/],
    ['both ways of saying it', { approvalTiers: [{ approvals: 1 }], autoApproveMaxUsd: 10 }, /autoApproveMaxUsd: set together with approvalTiers/],
    [
      'a list on a tier nobody approves',
      { approvalTiers: [{ upToUsd: 5, approvals: 0, from: ['finance'] }, { approvals: 1 }], approverLists: LISTS },
      /a tier with approvals 0 asks nobody/,
    ],
    ['a list of no addresses', { approverLists: { finance: [] } }, /approverLists\.finance: needs at least one address/],
    ['an unknown key in a tier', { approvalTiers: [{ approvals: 1, who: 'x' }] }, /approvalTiers\.0/],
  ])('refuse %s at synth, naming it', (_name, overrides, expected) => {
    const err = (() => {
      try {
        resolveProcureConfig(overrides);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ProcureConfigError);
    expect((err as ProcureConfigError).issues.join('\n')).toMatch(expected);
  });

  it('warn when a tier needs every person who can approve it', () => {
    const config = resolveProcureConfig({ approverEmails: ['a@acme.test', 'b@acme.test'], approvalTiers: [{ approvals: 2 }] });
    expect(
      configWarnings(config)
        .filter((w) => w.key === 'approvalTiers')
        .map((w) => w.message),
    ).toEqual(['approvalTiers[0] needs all 2 people who can approve it: one who is away blocks every purchase in it until it expires']);
  });
});

describe('a stack with approval tiers', () => {
  let s: Synthesized;
  beforeAll(() => {
    // Four approvals: all of finance and the escalation approver.
    s = synthProcure({ ...tiered, approvalTiers: [...TIERS.slice(0, 2), { approvals: 4, from: ['finance'] }] });
  });
  afterAll(() => s.dispose());
  const env = (id: Parameters<Synthesized['fnId']>[0]): Record<string, unknown> =>
    (s.json.Resources[s.fnId(id)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;

  it('gives the policy to the functions that quote, ask and verify, and to no other', () => {
    const withPolicy = Object.keys(s.json.Resources).filter((id) => {
      const vars = (s.json.Resources[id]!.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      return vars !== undefined && ENV.APPROVAL_POLICY in vars;
    });
    expect(withPolicy.sort()).toEqual(
      ['PreparePurchase', 'RequestApproval', 'CocalcCheckout', 'InterserverBuy', 'QuotesApi'].map((f) => s.fnId(f as never)).sort(),
    );
    const policy = JSON.parse(String(env('CocalcCheckout')[ENV.APPROVAL_POLICY]));
    expect(policy.tiers[2]).toEqual({ approvals: 4, approvers: LISTS.finance });
    expect(policy.escalationApprovers).toEqual(['ceo@acme.test']);
    // The same rules at cold start accept what synth produced.
    expect(approvalPolicyConfig({ [ENV.APPROVAL_POLICY]: String(env('RequestApproval')[ENV.APPROVAL_POLICY]) }).policy).toEqual(policy);
  });

  it('lets RequestApproval and the follow-ups mail every list member', () => {
    for (const fn of ['RequestApproval', 'ApprovalReminders'] as const) {
      const ses = statementsOf(s, fn).filter((st) => st.actions.includes('ses:SendEmail'));
      const identities = ses.flatMap((st) => st.resources.map((r) => String(s.resolve(r)).split('identity/')[1]));
      expect(identities).toEqual(expect.arrayContaining([...LISTS.finance, 'boss@acme.test']));
    }
  });

  it('warns at synth about the tier that needs every one of the four who can approve it', () => {
    Annotations.fromStack(s.stack).hasWarning('/Procure', Match.stringLikeRegexp('^approvalTiers\\[2\\] needs all 4 people'));
  });
  // A whole synth with bundling: CPU-bound on a busy 2-core machine.
}, 180_000);

describe('the approval policy at cold start', () => {
  const good = {
    tiers: [
      { upToUsd: 5, approvals: 0, approvers: [] },
      { approvals: 1, approvers: ['a@acme.test'] },
    ],
    escalationApprovers: [],
  };
  it('reads the JSON the stack writes', () => {
    expect(approvalPolicyConfig({ [ENV.APPROVAL_POLICY]: JSON.stringify(good) }).policy).toEqual(good);
  });
  it.each<[string, string | undefined, RegExp]>([
    ['missing', undefined, /APPROVAL_POLICY is missing/],
    ['not JSON', '{tiers', /APPROVAL_POLICY is not JSON/],
    [
      'an approver that is no address',
      JSON.stringify({ ...good, tiers: [{ approvals: 1, approvers: ['nobody'] }] }),
      /APPROVAL_POLICY is invalid: tiers\.0\.approvers\.0/,
    ],
    ['an unusable tier', JSON.stringify({ ...good, tiers: [{ approvals: 2, approvers: ['a@acme.test'] }] }), /needs 2 distinct approvals but only 1 people/],
  ])('fails fast when %s', (_name, value, expected) => {
    expect(() => approvalPolicyConfig(value === undefined ? {} : { [ENV.APPROVAL_POLICY]: value })).toThrow(ConfigError);
    expect(() => approvalPolicyConfig(value === undefined ? {} : { [ENV.APPROVAL_POLICY]: value })).toThrow(expected);
  });
});
