import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import type { FixtureVendorSandbox } from '../fixtures/sandboxes/fixturevendor/server';
import {
  approvalMailFor,
  auditTrail,
  decide,
  E2E_TEST_TIMEOUT_MS,
  postPurchase,
  purchaseRecord,
  reservation,
  startProcure,
  type E2e,
} from '../support/e2e-runtime';
import { fixtureApp, fixtureRequest, fixtureSandboxOf, fixtureTokenOf } from './support/fixture';

/**
 * Compensation and reconciliation through the vendor seam (core/vendor-leftovers.ts) for a vendor
 * added through it alone: the Fixture Vendor holds the seats before approval (its preparation), and
 * what a purchase that does not complete leaves there, its hold, is released by its leftovers, by
 * RecordNotCompleted and, for a hold no purchase owns, by the reconciler. Counted at its sandbox.
 */
const request = (requestId: string) => fixtureRequest(requestId, { plan: 'team', seats: 2 }, 'holds');

describe("a vendor's leftovers, taken back through the seam", { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  const vendor = (): FixtureVendorSandbox => fixtureSandboxOf(e2e.rt);

  beforeAll(async () => {
    e2e = await startProcure(fixtureApp());
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('releases the hold of a rejected purchase at the vendor, orders nothing and gives the budget back', async () => {
    const purchaseId = purchaseIdFor('fixture-hold-rejected');
    await postPurchase(e2e.rt, request('fixture-hold-rejected'));
    const { link } = await approvalMailFor(e2e, purchaseId);
    // Held before anyone decided, recorded on the purchase.
    const [hold] = vendor().holds.filter((h) => h.key === purchaseId);
    expect(hold).toMatchObject({ seats: 2 });
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ cartItemId: hold!.id });

    await decide(link, 'reject', 'not now');
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).not.toBe('RUNNING');

    expect(vendor().holds.filter((h) => h.key === purchaseId)).toEqual([]);
    expect(vendor().orders.filter((o) => o.key === purchaseId)).toEqual([]);
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'REJECTED' });
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    const compensated = (await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'COMPENSATED').map((a) => a.detail);
    expect(compensated).toContainEqual(expect.objectContaining({ step: 'delete-cart-item', outcome: 'deleted', cartItemId: hold!.id }));
  });

  it('releases a hold no purchase owns when the reconciler runs, and audits it on the purchase it names', async () => {
    const ghost = 'pur-0000000000000000000000000000f1f0';
    const res = await fetch(`${vendor().url}/holds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await fixtureTokenOf(e2e.rt)}`, 'content-type': 'application/json', 'idempotency-key': ghost },
      body: JSON.stringify({ plan: 'team', seats: 1 }),
    });
    expect(res.status).toBe(200);
    const { holdId } = (await res.json()) as { holdId: string };
    expect(vendor().holds.filter((h) => h.key === ghost)).toMatchObject([{ id: holdId }]);

    await e2e.rt.runSchedules();

    expect(vendor().holds.filter((h) => h.key === ghost)).toEqual([]);
    const entries = (await auditTrail(e2e, ghost)).filter((a) => a.type === 'RECONCILED');
    expect(entries.map((a) => a.message)).toEqual([
      `Deleted orphan Fixture Vendor hold ${holdId} (unchecked): it is tagged for a purchase procure has no record of, and the vendor's delete proved it was not bought`,
    ]);
  });
});
