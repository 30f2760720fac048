import { approvalPolicyEnv } from '../../lib/approval-policy-config';
import { resolveProcureConfig } from '../../lib/resolve-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  auditTrail,
  budgetCounter,
  cocalcAccountOf,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  sendRequestEvent,
  startProcure,
  stateItem,
  waitFor,
  workflowEvents,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';
import { EVENTS } from '../../lambdas/core/workflow';

/**
 * Issue #9 "Money steps verify, not trust": someone who can reach Step Functions (on the local
 * runtime: the loopback AWS stand-in) reads a task token from the state table and calls
 * SendTaskSuccess with APPROVED, bypassing the approval link. The money step refuses: nothing is
 * bought at the vendor, the purchase ends FAILED with its budget released, and the refusal is
 * audited as APPROVAL_NOT_VERIFIED.
 */
describe('a decision that bypassed the approval link', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  let sfn: SFNClient;

  beforeAll(async () => {
    e2e = await startProcure();
    sfn = new SFNClient({ ...e2e.rt.clientConfig('aws'), maxAttempts: 1 });
  });
  afterAll(async () => {
    sfn?.destroy();
    await e2e?.close();
  });

  /** Waits for the approval request, then approves it with the stored task token, not the link. */
  async function bypass(purchaseId: string): Promise<void> {
    const approvalId = await waitFor(`the approval request of ${purchaseId}`, async () => {
      const sent = (await auditTrail(e2e, purchaseId)).find((a) => a.type === 'APPROVAL_SENT');
      return (sent?.detail?.approvalIds as string[] | undefined)?.[0];
    });
    const record = await stateItem(e2e, `APPROVAL#${approvalId}`, 'APPROVAL');
    expect(record).toMatchObject({ status: 'PENDING' });
    const output = { decision: 'APPROVED', approver: 'approver@example.com', decidedAt: new Date().toISOString(), comment: 'trust me' };
    await sfn.send(new SendTaskSuccessCommand({ taskToken: String(record!.taskToken), output: JSON.stringify(output) }));
  }

  async function expectRefused(purchaseId: string, step: 'Checkout' | 'BuyLicense', vendor: 'cocalc' | 'interserver'): Promise<void> {
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('FAILED');
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'FAILED' });

    const trail = await auditTrail(e2e, purchaseId);
    const types = trail.map((a) => a.type);
    expect(types).toContain('APPROVAL_NOT_VERIFIED');
    expect(types).not.toContain('APPROVAL_DECIDED');
    expect(types).not.toContain('PURCHASED');
    expect(trail.some((a) => a.type === 'VENDOR_CALL' && ['buy', 'checkout'].includes(String(a.detail?.operation)))).toBe(false);
    expect(trail.find((a) => a.type === 'APPROVAL_NOT_VERIFIED')).toMatchObject({
      actor: 'system',
      detail: { step, claimed: { decision: 'APPROVED', approver: 'approver@example.com' } },
    });

    // The budget is released; the failure is announced.
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    expect((await budgetCounter(e2e, vendor)).holders[purchaseId]).toBeUndefined();
    expect(workflowEvents(e2e.rt, purchaseId).map((e) => e['detail-type'])).toEqual([EVENTS.failed]);
    // The approval record itself was never decided.
    const sent = trail.find((a) => a.type === 'APPROVAL_SENT')!;
    const approvalId = (sent.detail!.approvalIds as string[])[0];
    expect(await stateItem(e2e, `APPROVAL#${approvalId}`, 'APPROVAL')).toMatchObject({ status: 'PENDING' });
  }

  it('InterServer: BuyLicense refuses it and buys nothing', async () => {
    const ip = '203.0.113.201';
    await sendRequestEvent(e2e.rt, interserverRequest({ requestId: 'bypass-interserver', item: { ip, licenseType: 5006 } }));
    const purchaseId = purchaseIdFor('bypass-interserver');
    await bypass(purchaseId);
    await expectRefused(purchaseId, 'BuyLicense', 'interserver');

    const vendor = e2e.rt.sandboxes.interserver!.state;
    expect(vendor.licenses.filter((l) => l.license_ip === ip)).toEqual([]);
    expect(vendor.requests.filter((r) => r.operation.startsWith('api_buy_license'))).toEqual([]);
  });

  it('CoCalc: Checkout refuses it, checks out nothing and removes its cart item', async () => {
    const account = cocalcAccountOf(e2e);
    const balanceBefore = account.balance;
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'bypass-cocalc' }));
    const purchaseId = purchaseIdFor('bypass-cocalc');
    await bypass(purchaseId);
    await expectRefused(purchaseId, 'Checkout', 'cocalc');

    const cartItemId = (await purchaseRecord(e2e, purchaseId))?.cartItemId as number;
    expect(account.cart.find((i) => i.id === cartItemId)).toBeUndefined();
    expect(account.licenses).toEqual([]);
    expect(account.balance).toBe(balanceBefore);
  });
});

describe('an auto-approved purchase, verified by the money step against its own limit', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startProcure({ configOverrides: { ...approvalPolicyEnv(resolveProcureConfig({ autoApproveMaxUsd: 100 })) } });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('completes without a human: the audit trail shows the auto-approved quote, and nothing is refused', async () => {
    await sendRequestEvent(e2e.rt, interserverRequest({ requestId: 'auto-interserver', item: { ip: '203.0.113.202', licenseType: 5006 } }));
    const purchaseId = purchaseIdFor('auto-interserver');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('SUCCEEDED');
    const types = (await auditTrail(e2e, purchaseId)).map((a) => a.type);
    expect(types).toContain('PURCHASED');
    expect(types).not.toContain('APPROVAL_SENT');
    expect(types).not.toContain('APPROVAL_NOT_VERIFIED');
  });
});
