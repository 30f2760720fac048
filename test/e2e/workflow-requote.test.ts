import { waitFor } from '../support/wait';
import { purchaseIdOfItem } from '../../lambdas/vendors/cocalc/core/cart-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cocalcRequest } from '../support/requests';
import {
  approvalMailFor,
  auditTrail,
  cocalcAccountOf,
  decide,
  inOrder,
  postPurchase,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  startProcure,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';

/**
 * The vendor changes its price after the approval: Checkout buys nothing, records the vendor's
 * total, and the workflow re-quotes at that total (read from the trail, not from an error's text)
 * and asks a person again. Checked at the vendor: one license, charged the re-approved amount.
 */
describe('a re-quote after the vendor changed its price, end to end', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startProcure();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('buys only after a person approves the new total, once, at that total', async () => {
    const account = cocalcAccountOf(e2e);
    const licensesBefore = account.licenses.length;
    const purchasesBefore = account.purchases.length;
    const balanceBefore = account.balance;
    const purchaseId = purchaseIdFor('requote-price-change');
    expect((await postPurchase(e2e.rt, cocalcRequest({ requestId: 'requote-price-change' }))).status).toBe(202);

    const first = await approvalMailFor(e2e, purchaseId, 1);
    expect(first.mail.subject).toContain('$18.00');
    e2e.rt.sandboxes.cocalc!.changeSiteLicensePrice(0.37);
    try {
      expect((await decide(first.link, 'approve')).status).toBe(200);
      // Round 2: the vendor's total, which a person must approve; nothing was bought meanwhile.
      const second = await approvalMailFor(e2e, purchaseId, 2);
      expect(second.mail.subject).toContain('$18.37');
      expect(account.licenses).toHaveLength(licensesBefore);
      // The mail can arrive before RequestApproval's record write lands.
      await waitFor('the purchase to await approval', async () => (await purchaseRecord(e2e, purchaseId))?.status === 'AWAITING_APPROVAL', 10_000);
      expect((await purchaseRecord(e2e, purchaseId))?.status).toBe('AWAITING_APPROVAL');
      expect((await decide(second.link, 'approve')).status).toBe(200);
      expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
    } finally {
      e2e.rt.sandboxes.cocalc!.changeSiteLicensePrice(0);
    }

    // The vendor's truth: one license, one charge of the re-approved total.
    expect(account.licenses).toHaveLength(licensesBefore + 1);
    const charges = account.purchases.slice(purchasesBefore);
    expect(charges.map((p) => p.cost)).toEqual([18.37]);
    expect(Math.round((balanceBefore - account.balance) * 100)).toBe(1837);
    // The cart: the purchase's one item bought, nothing of it left unbought (a re-quote adds none).
    const ours = account.cart.filter((i) => purchaseIdOfItem({ description: i.description as Record<string, unknown> }) === purchaseId);
    expect(ours.filter((i) => i.purchased !== null)).toHaveLength(1);
    expect(ours.filter((i) => i.purchased === null && i.removed === null)).toEqual([]);

    const trail = await auditTrail(e2e, purchaseId);
    const types = trail.map((a) => a.type);
    const expected = [
      'APPROVAL_SENT',
      'APPROVAL_DECIDED',
      'QUOTE_MISMATCH',
      'REQUOTED',
      'QUOTED',
      'APPROVAL_SENT',
      'APPROVAL_DECIDED',
      'PURCHASED',
      'COMPLETED',
    ];
    expect(inOrder(types, expected)).toEqual(expected);
    const mismatch = trail.find((a) => a.type === 'QUOTE_MISMATCH')!;
    expect(mismatch.detail).toMatchObject({ vendorTotalUsd: 18.37, approvedUsd: 18 });
    expect(trail.find((a) => a.type === 'REQUOTED')?.detail).toMatchObject({ vendorTotalUsd: 18.37, approvedUsd: 18, mismatch: mismatch.seq });
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'COMPLETED', amountUsd: 18.37 });
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'COMMITTED', amountCents: 1837 });
  });
});
