import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS } from '../../lambdas/core/workflow';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  auditTrail,
  budgetCounter,
  callApi,
  cocalcAccountOf,
  decidePurchase,
  getPurchase,
  inOrder,
  postPurchase,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  sendRequestEvent,
  startProcure,
  workflowEvents,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';

/**
 * Issue #4, the approve path: a request comes in (EventBridge event or signed POST /purchases), the
 * approver opens the mailed link and presses Approve, and the license is bought exactly once,
 * verified, recorded, announced, and its budget committed.
 */
describe('an approved purchase, end to end', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startProcure();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const cocalcAccount = () => cocalcAccountOf(e2e);

  async function expectCompleted(purchaseId: string, vendor: 'cocalc' | 'interserver', amountUsd: number): Promise<string> {
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('SUCCEEDED');

    const trail = await auditTrail(e2e, purchaseId);
    const types = trail.map((a) => a.type);
    const expected = [
      'REQUEST_RECEIVED',
      'QUOTED',
      'BUDGET_RESERVED',
      ...(vendor === 'cocalc' ? ['CART_ITEM_ADDED'] : []),
      'APPROVAL_SENT',
      'APPROVAL_DECIDED',
      'VENDOR_CALL',
      'PURCHASED',
      'LICENSE_VERIFIED',
      'COMPLETED',
    ];
    expect(inOrder(types, expected)).toEqual(expected);
    // Nothing went wrong on the way, and nothing was compensated.
    expect(types).not.toContain('COMPENSATED');
    expect(types).not.toContain('NOT_COMPLETED');
    expect(types.filter((t) => t === 'PURCHASED')).toHaveLength(1);

    const decided = trail.find((a) => a.type === 'APPROVAL_DECIDED')!;
    expect(decided).toMatchObject({ actor: 'approver@example.com', detail: { decision: 'APPROVED', comment: 'looks right' } });
    const purchased = trail.find((a) => a.type === 'PURCHASED')!;
    const licenseId = String(purchased.detail?.licenseId);
    expect(trail.find((a) => a.type === 'LICENSE_VERIFIED')!.detail).toMatchObject({ vendor, id: licenseId });

    const record = await purchaseRecord(e2e, purchaseId);
    expect(record).toMatchObject({ status: 'COMPLETED', licenseId, amountUsd });

    // The budget stays spent: the reservation is committed, and the counter keeps its amount in the
    // total but no longer names the purchase (its size does not grow with purchases).
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'COMMITTED', amountCents: Math.round(amountUsd * 100) });
    const counter = await budgetCounter(e2e, vendor);
    expect(counter.reservedCents).toBeGreaterThanOrEqual(Math.round(amountUsd * 100));
    expect(counter.holders).not.toHaveProperty(purchaseId);

    const events = workflowEvents(e2e.rt, purchaseId);
    expect(events.map((e) => e['detail-type'])).toEqual([EVENTS.completed]);
    expect(events[0]!.detail).toMatchObject({ purchaseId, vendor, licenseId, amountUsd });

    const status = await getPurchase(e2e.rt, purchaseId);
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ purchaseId, status: 'COMPLETED', licenseId });
    expect(status.json.audit.map((a: { type: string }) => a.type)).toEqual(types);
    return licenseId;
  }

  async function expectCocalcBoughtOnce(purchaseId: string, licensesBefore: number): Promise<void> {
    const licenseId = String((await purchaseRecord(e2e, purchaseId))?.licenseId);
    const account = cocalcAccount();
    expect(account.licenses).toHaveLength(licensesBefore + 1);
    expect(account.licenses.filter((l) => l.id === licenseId)).toHaveLength(1);
    const cartItemId = (await purchaseRecord(e2e, purchaseId))?.cartItemId;
    const item = account.cart.find((i) => i.id === cartItemId);
    expect(item?.purchased).toMatchObject({ success: true, license_id: licenseId });
    // Nothing else of ours was left checked or unpurchased in the cart.
    expect(account.cart.filter((i) => !i.purchased && i.removed === null)).toEqual([]);
    const listed = await callApi(e2e.rt, 'GET', '/licenses?vendor=cocalc');
    expect(listed.status).toBe(200);
    expect(listed.json.licenses.map((l: { id: string }) => l.id)).toContain(licenseId);
  }

  async function expectInterserverBoughtOnce(purchaseId: string, ip: string, licenseId: string): Promise<void> {
    const vendor = e2e.rt.sandboxes.interserver!.state;
    const rows = vendor.licenses.filter((l) => l.license_ip === ip && l.license_type === 5006);
    expect(rows.map((r) => String(r.license_id))).toEqual([licenseId]);
    const buys = vendor.requests.filter((r) => r.operation.startsWith('api_buy_license') && r.raw.includes(ip));
    expect(buys).toHaveLength(1);
    // The vendor's reference (the invoice the buy answered) is in the trail and is this license's.
    const bought = (await auditTrail(e2e, purchaseId)).find((a) => a.type === 'VENDOR_CALL' && a.detail?.outcome === 'ok');
    const invoice = vendor.invoices.find((i) => i.invoices_id === bought?.detail?.invoice);
    expect(invoice).toMatchObject({ invoices_service: Number(licenseId), invoices_amount: 3 });
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ invoice: invoice!.invoices_id });
  }

  it('buys a CoCalc license requested by an EventBridge event', async () => {
    const before = cocalcAccount().licenses.length;
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'approve-cocalc-event' }));
    const purchaseId = purchaseIdFor('approve-cocalc-event');
    const page = await decidePurchase(e2e, purchaseId, 'approve', 'looks right');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Purchase approved');
    await expectCompleted(purchaseId, 'cocalc', 18);
    await expectCocalcBoughtOnce(purchaseId, before);
  });

  it('buys a CoCalc license requested through POST /purchases', async () => {
    const before = cocalcAccount().licenses.length;
    const body = cocalcRequest({ requestId: 'approve-cocalc-api' });
    const submitted = await postPurchase(e2e.rt, body);
    const purchaseId = purchaseIdFor('approve-cocalc-api');
    expect(submitted.status).toBe(202);
    expect(submitted.json).toEqual({ purchaseId, status: 'RECEIVED', existing: false });
    await decidePurchase(e2e, purchaseId, 'approve', 'looks right');
    await expectCompleted(purchaseId, 'cocalc', 18);
    await expectCocalcBoughtOnce(purchaseId, before);
  });

  it('buys an InterServer license requested by an EventBridge event', async () => {
    const ip = '203.0.113.21';
    await sendRequestEvent(e2e.rt, interserverRequest({ requestId: 'approve-is-event', item: { ip, licenseType: 5006 } }));
    const purchaseId = purchaseIdFor('approve-is-event');
    await decidePurchase(e2e, purchaseId, 'approve', 'looks right');
    const licenseId = await expectCompleted(purchaseId, 'interserver', 3);
    await expectInterserverBoughtOnce(purchaseId, ip, licenseId);
  });

  it('buys an InterServer license requested through POST /purchases', async () => {
    const ip = '203.0.113.22';
    const submitted = await postPurchase(e2e.rt, interserverRequest({ requestId: 'approve-is-api', item: { ip, licenseType: 'Softaculous' } }));
    const purchaseId = purchaseIdFor('approve-is-api');
    expect(submitted.status).toBe(202);
    expect(submitted.json.purchaseId).toBe(purchaseId);
    await decidePurchase(e2e, purchaseId, 'approve', 'looks right');
    const licenseId = await expectCompleted(purchaseId, 'interserver', 3);
    await expectInterserverBoughtOnce(purchaseId, ip, licenseId);
    const listed = await callApi(e2e.rt, 'GET', '/licenses?vendor=interserver');
    expect(listed.json.licenses).toContainEqual(expect.objectContaining({ vendor: 'interserver', id: licenseId, target: ip }));
  });
});
