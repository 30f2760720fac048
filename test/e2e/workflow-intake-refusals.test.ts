import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS } from '../../lambdas/core/workflow';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  auditTrail,
  cocalcAccountOf,
  postPurchase,
  purchaseIdFor,
  purchaseRecord,
  sendRequestEvent,
  startProcure,
  waitFor,
  workflowEvents,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';

/**
 * Issue #9 "Intake refuses nonsense before any vendor call or mail": schema-valid-looking requests
 * that cannot make sense are refused at intake, over both entry points, with the field named: a
 * 4xx (never a 5xx) for POST /purchases, a "License Purchase Failed" event for the trigger, and an
 * audit entry either way. No purchase record, no execution, no mail, no vendor call.
 */
describe('intake refuses nonsense, end to end', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startProcure();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  const pastRange = {
    ...(cocalcRequest().item as { description: object }).description,
    period: 'range',
    range: ['2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z'],
  };
  const CASES: Array<[string, Record<string, unknown>, string]> = [
    ['metadata IP', interserverRequest({ item: { ip: '169.254.169.254', licenseType: 5006 } }), 'item.ip'],
    ['private IP', interserverRequest({ item: { ip: '10.0.0.1', licenseType: 5006 } }), 'item.ip'],
    ['broadcast IP', interserverRequest({ item: { ip: '255.255.255.255', licenseType: 5006 } }), 'item.ip'],
    ['SQL-ish coupon', interserverRequest({ item: { ip: '8.8.8.8', licenseType: 5006, coupon: "' OR 1=1 --" } }), 'item.coupon'],
    ['past CoCalc range', cocalcRequest({ item: { description: pastRange } }), 'item.description.range'],
    ['300-character email local part', cocalcRequest({ requester: { email: `${'a'.repeat(300)}@example.com`, name: 'A' } }), 'requester.email'],
    ['maxCost 1e-131', cocalcRequest({ maxCost: 1e-131 }), 'maxCost'],
    ['maxCost 0.001', cocalcRequest({ maxCost: 0.001 }), 'maxCost'],
  ];

  const vendorCalls = () => ({
    interserver: e2e.rt.sandboxes.interserver!.state.requests.length,
    cocalcCart: cocalcAccountOf(e2e).cart.length,
  });

  it.each(CASES)('POST /purchases: a %s is a 400 naming the field', async (_name, body, field) => {
    const before = vendorCalls();
    const mails = e2e.rt.mails.length;
    const requestId = `api-${field.replace(/\W/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
    const res = await postPurchase(e2e.rt, { ...body, requestId });
    expect(res.status).toBe(400);
    expect(res.json.reasons.join('\n')).toContain(`${field}: `);
    const purchaseId = purchaseIdFor(requestId);
    expect((await auditTrail(e2e, purchaseId)).map((a) => a.type)).toEqual(['REQUEST_REJECTED']);
    expect(await purchaseRecord(e2e, purchaseId)).toBeUndefined();
    expect(e2e.rt.executions.describe(purchaseId)).toBeUndefined();
    expect(vendorCalls()).toEqual(before);
    expect(e2e.rt.mails.length).toBe(mails);
  });

  it.each(CASES)('event: a %s is answered with a Failed event naming the field', async (_name, body, field) => {
    const before = vendorCalls();
    const mails = e2e.rt.mails.length;
    const requestId = `ev-${field.replace(/\W/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
    await sendRequestEvent(e2e.rt, { ...body, requestId });
    const purchaseId = purchaseIdFor(requestId);
    const failed = await waitFor('the rejection event', () => workflowEvents(e2e.rt, purchaseId)[0]);
    expect(failed['detail-type']).toBe(EVENTS.failed);
    expect((failed.detail as { reasons: string[] }).reasons.join('\n')).toContain(`${field}: `);
    expect((await auditTrail(e2e, purchaseId)).map((a) => a.type)).toEqual(['REQUEST_REJECTED']);
    await e2e.rt.eventsIdle();
    expect(e2e.rt.eventDeliveryFailures).toEqual([]);
    expect(e2e.rt.executions.describe(purchaseId)).toBeUndefined();
    expect(vendorCalls()).toEqual(before);
    expect(e2e.rt.mails.length).toBe(mails);
  });
});
