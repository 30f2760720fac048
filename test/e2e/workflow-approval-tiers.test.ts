import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalPolicyEnv } from '../../lib/approval-policy-config';
import { approvalLinkOf } from '../../lib/cli/runtime-report';
import { resolveProcureConfig } from '../../lib/resolve-config';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  auditTrail,
  budgetCounter,
  callApi,
  cocalcAccountOf,
  decide,
  E2E_TEST_TIMEOUT_MS,
  openLink,
  postPurchase,
  purchaseIdFor,
  purchaseRecord,
  sendRequestEvent,
  startProcure,
  waitFor,
  type E2e,
} from '../support/e2e-runtime';

/**
 * Issue #13 part 2 on the local runtime, with the synthesized functions and the vendor sandboxes:
 * a tier by amount (InterServer's $3 license by policy, CoCalc's $18 license needing two of three
 * approvers), both entry points (an EventBridge event and POST /purchases), the vendor's own
 * records checked, and a rejection by the second approver.
 */
const ALICE = 'alice@acme.test';
const BOB = 'bob@acme.test';
const CAROL = 'carol@acme.test';
const POLICY = resolveProcureConfig({
  approverEmails: [ALICE],
  approverLists: { leads: [ALICE, BOB, CAROL] },
  approvalTiers: [
    { upToUsd: 5, approvals: 0 },
    { approvals: 2, from: ['leads'] },
  ],
});

describe('approval tiers by amount', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startProcure({ configOverrides: approvalPolicyEnv(POLICY) });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  /** Each approver's link of the purchase's latest round (from the mails' headers). */
  async function linksOf(purchaseId: string): Promise<Record<string, string>> {
    const ids = await waitFor(`the approval round of ${purchaseId}`, async () => {
      const sent = (await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'APPROVAL_SENT').at(-1);
      return sent?.detail?.approvalIds as string[] | undefined;
    });
    const mails = await waitFor('every approval mail', () => {
      const found = ids.map((id) => e2e.rt.mails.find((m) => approvalLinkOf(m)?.includes(`/approvals/${id}?`)));
      return found.every(Boolean) ? found : undefined;
    });
    return Object.fromEntries(mails.map((m) => [m!.to[0]!, approvalLinkOf(m!)!]));
  }
  const listed = async (purchaseId: string) =>
    ((await callApi(e2e.rt, 'GET', '/purchases?status=AWAITING_APPROVAL')).json.purchases as Array<Record<string, unknown>>).find(
      (p) => p.purchaseId === purchaseId,
    );

  it('quotes the tier each amount needs, with nothing reserved', async () => {
    const cheap = await callApi(e2e.rt, 'POST', '/quotes', interserverRequest({ requestId: 'tier-quote-1' }));
    expect(cheap.json.approval).toMatchObject({ autoApprove: true, tier: 1, approvalsNeeded: 0 });
    const dear = await callApi(e2e.rt, 'POST', '/quotes', cocalcRequest({ requestId: 'tier-quote-2' }));
    expect(dear.json.approval).toMatchObject({
      autoApprove: false,
      tier: 2,
      approvalsNeeded: 2,
      approvers: [ALICE, BOB, CAROL],
      reason: 'tier 2 (above $5.00): 2 distinct approvers of 3',
    });
  });

  it('buys a $3 InterServer license by policy, without mailing anyone', async () => {
    const mailsBefore = e2e.rt.mails.length;
    await sendRequestEvent(e2e.rt, interserverRequest({ requestId: 'tier-cheap' }));
    const execution = await e2e.rt.executions.wait(purchaseIdFor('tier-cheap'), { timeoutMs: 60_000 });
    expect(execution.status).toBe('SUCCEEDED');
    expect(e2e.rt.mails.slice(mailsBefore).filter((m) => approvalLinkOf(m))).toEqual([]);
    expect((await auditTrail(e2e, purchaseIdFor('tier-cheap'))).find((a) => a.type === 'QUOTED')?.detail).toMatchObject({
      autoApprove: true,
      approvalTier: 1,
      approvalsNeeded: 0,
    });
  });

  it('buys the $18 CoCalc license only once two distinct leads approved, one license at the vendor', async () => {
    const account = cocalcAccountOf(e2e);
    const licensesBefore = account.licenses.length;
    const res = await postPurchase(e2e.rt, cocalcRequest({ requestId: 'tier-two' }));
    expect(res.status).toBe(202);
    const purchaseId = purchaseIdFor('tier-two');
    const link = await linksOf(purchaseId);
    expect(Object.keys(link).sort()).toEqual([ALICE, BOB, CAROL]);

    const first = await decide(link[ALICE]!, 'approve');
    expect(first.text).toContain('Approval recorded');
    // Nothing is bought on one approval: the execution still waits, the vendor has no new license.
    expect(e2e.rt.executions.describe(purchaseId)?.status).toBe('RUNNING');
    expect(account.licenses.length).toBe(licensesBefore);
    expect(await listed(purchaseId)).toMatchObject({ pendingApprovers: [BOB, CAROL], approvalsNeeded: 1, approvedBy: [ALICE] });
    const page = await openLink(link[CAROL]!);
    expect(page.text).toContain('2 distinct approvers; 1 so far (alice@acme.test)');

    const second = await decide(link[CAROL]!, 'approve');
    expect(second.text).toContain('Purchase approved');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('SUCCEEDED');
    // The vendor's truth: exactly one new license, charged the quoted amount.
    expect(account.licenses.length).toBe(licensesBefore + 1);
    expect((await openLink(link[BOB]!)).status).toBe(409);
    const trail = await auditTrail(e2e, purchaseId);
    expect(trail.filter((a) => a.type === 'APPROVAL_COUNTED').map((a) => a.actor)).toEqual([ALICE]);
    expect(trail.find((a) => a.type === 'APPROVAL_DECIDED')?.detail).toMatchObject({ approver: CAROL, approvers: [ALICE, CAROL], required: 2 });
    expect(trail.map((a) => a.type)).not.toContain('APPROVAL_NOT_VERIFIED');
  });

  it("ends on the second lead's rejection: nothing bought, the cart item removed, the budget released", async () => {
    const account = cocalcAccountOf(e2e);
    const licensesBefore = account.licenses.length;
    const balanceBefore = account.balance;
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'tier-reject' }));
    const purchaseId = purchaseIdFor('tier-reject');
    const link = await linksOf(purchaseId);
    const cartItemId = (await purchaseRecord(e2e, purchaseId))?.cartItemId as number;
    expect(account.cart.find((i) => i.id === cartItemId)).toMatchObject({ checked: false, purchased: null });
    await decide(link[BOB]!, 'approve');
    const rejected = await decide(link[ALICE]!, 'reject', 'one of us says no');
    expect(rejected.text).toContain('Purchase rejected');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('FAILED');
    expect(account.licenses.length).toBe(licensesBefore);
    expect(account.balance).toBe(balanceBefore);
    expect(account.cart.find((i) => i.id === cartItemId)).toBeUndefined();
    expect((await budgetCounter(e2e, 'cocalc')).holders[purchaseId]).toBeUndefined();
    // The third lead's link decides nothing any more.
    expect((await openLink(link[CAROL]!)).status).toBe(409);
  });
});
