import { autoApprovePolicy, type ApprovalPolicy } from '../../lambdas/core/approval-policy';
import { describe, expect, it } from 'vitest';
import { computeSiteLicenseCost } from '../../lambdas/vendors/cocalc/core/pricing';
import { InvalidRequestError } from '../../lambdas/core/errors';
import type { InterserverGateway, InterserverLicenseType } from '../../lambdas/vendors/interserver/core/ports';
import type { Vendor } from '../../lambdas/core/purchase-request';
import { quotePurchase, type PurchaseQuote, type QuotePurchaseDeps } from '../../lambdas/core/quote-purchase';
import { cocalcRequest, interserverRequest } from '../support/requests';
import { quotersWith } from '../support/workflow-harness';

const NOW = new Date('2026-07-15T12:00:00.000Z');
const CATALOG: InterserverLicenseType[] = [
  { id: 5006, name: 'Softaculous', cost: 3 },
  { id: 5034, name: 'KernelCare License', cost: 2.95 },
  { id: 9001, name: 'Twin', cost: 1 },
  { id: 9002, name: 'twin', cost: 2 },
];

/** A quote's ports: the catalog (counting calls) and a spend guard that only answers remaining(). */
function world(over: { remainingUsd?: number; capUsd?: number; policy?: ApprovalPolicy } = {}) {
  const calls = { catalog: 0, remaining: [] as Array<{ vendor: Vendor; at: string }> };
  const capUsd = over.capUsd ?? 500;
  const remainingUsd = over.remainingUsd ?? capUsd;
  const deps: QuotePurchaseDeps = {
    quoters: quotersWith(
      async () =>
        ({
          getLicenseTypes: async () => {
            calls.catalog += 1;
            return CATALOG;
          },
        }) as unknown as InterserverGateway,
    ),
    spendGuard: {
      remaining: async (vendor, at) => {
        calls.remaining.push({ vendor, at: at.toISOString() });
        return { capUsd, reservedUsd: capUsd - remainingUsd, remainingUsd };
      },
    },
    policy: over.policy ?? autoApprovePolicy(25, ['boss@example.com']),
    clock: () => NOW,
  };
  return { deps, calls };
}

async function refusal(deps: QuotePurchaseDeps, body: unknown): Promise<string[]> {
  const err = await quotePurchase(deps, body).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidRequestError);
  return (err as InvalidRequestError).issues;
}

describe('quotePurchase', () => {
  it("prices CoCalc with the v3 formula's line amount (what checkout charges), without any vendor call", async () => {
    const { deps, calls } = world();
    const body = cocalcRequest({ requestId: 'q-1' });

    const quote = await quotePurchase(deps, body);

    const description = (body.item as { description: Parameters<typeof computeSiteLicenseCost>[0] }).description;
    expect(quote.amountUsd).toBe(computeSiteLicenseCost(description).lineItemAmount);
    expect(quote).toMatchObject({
      requestId: 'q-1',
      vendor: 'cocalc',
      priceSource: 'cocalc-v3-formula',
      summary: 'CoCalc site license: academic, monthly, run limit 2, 4 GB RAM, 1 vCPU, 10 GB disk, member hosting, short uptime',
      problems: [],
      quotedAt: NOW.toISOString(),
    });
    expect(calls.catalog).toBe(0);
    expect(calls.remaining).toEqual([{ vendor: 'cocalc', at: NOW.toISOString() }]);
  });

  it("prices InterServer at the catalog's price for the type, by id or by exact name", async () => {
    const { deps } = world();

    const byId = await quotePurchase(deps, interserverRequest({ item: { ip: '203.0.113.10', licenseType: 5034 } }));
    const byName = await quotePurchase(deps, interserverRequest({ item: { ip: '203.0.113.10', licenseType: 'softaculous' } }));

    expect(byId).toMatchObject({ amountUsd: 2.95, priceSource: 'interserver-catalog', interserverType: { id: 5034, name: 'KernelCare License' } });
    expect(byName).toMatchObject({ amountUsd: 3, interserverType: { id: 5006, name: 'Softaculous' } });
    expect(byName.summary).toBe('InterServer license: Softaculous (5006) for 203.0.113.10, $3.00/month');
  });

  it('reports the budget left this month and what would be left after this purchase', async () => {
    const { deps } = world({ capUsd: 100, remainingUsd: 40.5 });

    const quote = await quotePurchase(deps, interserverRequest());

    expect(quote.budget).toEqual({ month: '2026-07', capUsd: 100, reservedUsd: 59.5, remainingUsd: 40.5, remainingAfterUsd: 37.5, fits: true });
  });

  const BOSS = ['boss@example.com'];
  const TIERS: ApprovalPolicy = {
    tiers: [
      { upToUsd: 2, approvals: 0, approvers: [] },
      { upToUsd: 3, approvals: 2, approvers: ['a@example.com', 'b@example.com', 'c@example.com'] },
      { approvals: 1, approvers: BOSS },
    ],
    escalationApprovers: ['esc@example.com'],
  };
  it.each<[string, ApprovalPolicy, PurchaseQuote['approval']]>([
    [
      'approved by policy up to $25',
      autoApprovePolicy(25, BOSS),
      { autoApprove: true, tier: 1, approvalsNeeded: 0, approvers: [], reason: 'tier 1 (up to $25.00): no approver (approved by policy)' },
    ],
    [
      'approved by policy at exactly its limit',
      autoApprovePolicy(3, BOSS),
      { autoApprove: true, tier: 1, approvalsNeeded: 0, approvers: [], reason: 'tier 1 (up to $3.00): no approver (approved by policy)' },
    ],
    [
      'a cent above the limit',
      autoApprovePolicy(2.99, BOSS),
      { autoApprove: false, tier: 2, approvalsNeeded: 1, approvers: BOSS, reason: 'tier 2 (above $2.99): any 1 of 1 approver' },
    ],
    [
      'always ask',
      autoApprovePolicy(-1, BOSS),
      { autoApprove: false, tier: 1, approvalsNeeded: 1, approvers: BOSS, reason: 'tier 1 (any amount): any 1 of 1 approver' },
    ],
    [
      'a two-approver tier (the escalation approver counts too)',
      TIERS,
      {
        autoApprove: false,
        tier: 2,
        approvalsNeeded: 2,
        approvers: ['a@example.com', 'b@example.com', 'c@example.com'],
        reason: 'tier 2 (above $2.00 up to $3.00): 2 distinct approvers of 4',
      },
    ],
  ])('a $3.00 quote, %s', async (_name, policy, approval) => {
    const { deps } = world({ policy });
    expect((await quotePurchase(deps, interserverRequest())).approval).toEqual(approval);
  });

  it('names what would stop the purchase after intake: its maxCost and the budget', async () => {
    const { deps } = world({ capUsd: 10, remainingUsd: 2 });

    const quote = await quotePurchase(deps, interserverRequest({ maxCost: 2.5 }));

    expect(quote.budget).toMatchObject({ remainingAfterUsd: -1, fits: false });
    expect(quote.problems).toEqual([
      'maxCost: the quote of $3.00 is above the requested maxCost of $2.50; the purchase would fail at PreparePurchase, its quote',
      "budget: $3.00 is more than the $2.00 left of interserver's $10.00 for 2026-07; the purchase would fail at PreparePurchase, its budget reservation",
    ]);
  });

  it('refuses what intake refuses, every issue naming its field, before reading anything', async () => {
    const { deps, calls } = world();

    const issues = await refusal(deps, { ...interserverRequest(), requester: { email: 'nope', name: 'Eve\u001b[2J' }, reason: '' });

    expect(issues).toEqual([
      expect.stringMatching(/^requester\.email: /),
      expect.stringMatching(/^requester\.name: name must be a single line without control or bidirectional-formatting characters \(found U\+001B/),
      expect.stringMatching(/^reason: /),
    ]);
    expect(calls).toEqual({ catalog: 0, remaining: [] });
  });

  it('refuses a CoCalc range that has already ended, as intake does at submission', async () => {
    const { deps } = world();
    const description = {
      user: 'academic',
      period: 'range',
      range: ['2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'],
      run_limit: 1,
      ram: 4,
      cpu: 1,
      disk: 10,
      member: true,
      uptime: 'short',
    };

    const issues = await refusal(deps, cocalcRequest({ item: { description } }));

    expect(issues).toEqual([expect.stringMatching(/^item\.description\.range: /)]);
  });

  it('refuses an InterServer type the catalog does not have, or names ambiguously, as ValidateAndQuote does', async () => {
    const { deps } = world();

    expect(await refusal(deps, interserverRequest({ item: { ip: '203.0.113.10', licenseType: 4242 } }))).toEqual([
      'item.licenseType: unknown InterServer license type 4242',
    ]);
    expect(await refusal(deps, interserverRequest({ item: { ip: '203.0.113.10', licenseType: 'TWIN' } }))).toEqual([
      'item.licenseType: "TWIN" names several InterServer license types (9001, 9002); use the id',
    ]);
  });
});
