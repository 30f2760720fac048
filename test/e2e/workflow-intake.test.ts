import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS } from '../../lambdas/core/workflow';
import { approvalLinkOf } from '../../lib/cli/runtime-report';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  approvalMailFor,
  auditTrail,
  budgetCounter,
  callApi,
  cocalcAccountOf,
  decide,
  getPurchase,
  postPurchase,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  sendRequestEvent,
  startProcure,
  waitFor,
  workflowEvents,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';

/**
 * Issue #4, intake: the same request arriving many times at once through both entry points is
 * one purchase; a reused requestId with other content is refused; invalid input is refused with
 * its reasons, audited, and never reaches a vendor.
 */
describe('intake, end to end', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startProcure();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const isBuys = () => e2e.rt.sandboxes.interserver!.state.requests.filter((r) => r.operation.startsWith('api_buy_license')).length;

  describe('the same request sent many times at once', () => {
    const requestId = 'dup-burst';
    const purchaseId = purchaseIdFor(requestId);
    const body = cocalcRequest({ requestId });

    it('is one purchase: one execution, one approval mail, one license, and every answer names it', async () => {
      const executionsBefore = e2e.rt.executions.list().length;
      const licensesBefore = cocalcAccountOf(e2e).licenses.length;

      // 10 signed POSTs and 10 events, all in flight together; key order differs, content does not.
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const [answers] = await Promise.all([
        Promise.all(Array.from({ length: 10 }, (_, i) => postPurchase(e2e.rt, i % 2 ? body : reordered))),
        Promise.all(Array.from({ length: 10 }, () => sendRequestEvent(e2e.rt, body))),
      ]);
      for (const a of answers) {
        expect([200, 202]).toContain(a.status);
        expect(a.json.purchaseId).toBe(purchaseId);
      }
      // Exactly one caller created it; whether that was a POST or an event is a race.
      expect(answers.filter((a) => a.status === 202).length).toBeLessThanOrEqual(1);
      expect(answers.filter((a) => a.json.existing === false).length).toBeLessThanOrEqual(1);
      await e2e.rt.eventsIdle();

      const { link } = await approvalMailFor(e2e, purchaseId);
      expect(e2e.rt.executions.list().filter((x) => x.name === purchaseId)).toHaveLength(1);
      expect(e2e.rt.executions.list()).toHaveLength(executionsBefore + 1);
      expect(e2e.rt.eventDeliveryFailures).toEqual([]);
      expect(workflowEvents(e2e.rt, purchaseId)).toEqual([]); // no duplicate was refused

      await decide(link, 'approve');
      expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
      const trail = await auditTrail(e2e, purchaseId);
      const count = (type: string) => trail.filter((a) => a.type === type).length;
      expect(count('REQUEST_RECEIVED')).toBe(1);
      expect(count('APPROVAL_SENT')).toBe(1);
      expect(count('PURCHASED')).toBe(1);
      expect(e2e.rt.mails.filter((m) => approvalLinkOf(m) === link)).toHaveLength(1);
      expect(e2e.rt.mails.filter((m) => /Ada Lovelace/.test(m.subject))).toHaveLength(1);
      expect(cocalcAccountOf(e2e).licenses).toHaveLength(licensesBefore + 1);
      expect(cocalcAccountOf(e2e).cart.filter((i) => i.purchased)).toHaveLength(1);
      // Bought once: committed once (the counter no longer names a committed purchase).
      expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'COMMITTED', amountCents: 1800 });
      expect((await budgetCounter(e2e, 'cocalc')).holders).not.toHaveProperty(purchaseId);
    });

    it('answers a late repeat with the finished purchase and starts nothing', async () => {
      const executions = e2e.rt.executions.list().length;
      const again = await postPurchase(e2e.rt, body);
      expect(again.status).toBe(200);
      expect(again.json).toEqual({ purchaseId, status: 'COMPLETED', existing: true });
      await sendRequestEvent(e2e.rt, body);
      await e2e.rt.eventsIdle();
      expect(e2e.rt.executions.list()).toHaveLength(executions);
      expect(workflowEvents(e2e.rt, purchaseId).map((e) => e['detail-type'])).toEqual([EVENTS.completed]);
    });

    it('refuses the same requestId with different content, through the API (409) and as an event, leaving the purchase alone', async () => {
      const executions = e2e.rt.executions.list().length;
      const changed = cocalcRequest({ requestId, reason: 'A different reason' });
      const refused = await postPurchase(e2e.rt, changed);
      expect(refused.status).toBe(409);
      expect(refused.json).toEqual({
        error: 'RequestConflictError',
        message: `requestId ${requestId} was already used for a different request (purchase ${purchaseId})`,
      });

      await sendRequestEvent(e2e.rt, { ...changed, maxCost: 10_000 });
      const failed = await waitFor('the conflict event', () => workflowEvents(e2e.rt, purchaseId).find((e) => e['detail-type'] === EVENTS.failed));
      expect(failed.detail).toMatchObject({ purchaseId, requestId, stage: 'intake', code: 'REQUEST_CONFLICT' });
      expect((failed.detail as { reason: string }).reason).toContain('was already used for a different request');

      const conflicts = (await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'REQUEST_CONFLICT');
      expect(conflicts.map((c) => c.detail?.source)).toEqual(['api', 'event']);
      expect(conflicts.every((c) => c.status === 'COMPLETED')).toBe(true);
      expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'COMPLETED' });
      expect(e2e.rt.executions.list()).toHaveLength(executions);
    });
  });

  describe('invalid input', () => {
    it('answers a POST that fails the schema with 400 and every reason, and audits the rejection', async () => {
      const cartBefore = cocalcAccountOf(e2e).cart.length;
      const bad = cocalcRequest({
        requestId: 'bad-post',
        requester: { email: 'not-an-email', name: 'Ada' },
        item: { description: { user: 'academic', period: 'monthly', run_limit: 1, ram: 64, cpu: 1, disk: 10, member: true, uptime: 'short' } },
      });
      const res = await postPurchase(e2e.rt, bad);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('InvalidRequest');
      expect(res.json.purchaseId).toBe(purchaseIdFor('bad-post'));
      expect(res.json.reasons).toEqual(
        expect.arrayContaining([expect.stringMatching(/^requester\.email: /), 'item.description.ram: ram must be between 4 and 16 for a regular license']),
      );

      const status = await getPurchase(e2e.rt, res.json.purchaseId);
      expect(status.status).toBe(200);
      expect(status.json.status).toBe('INVALID');
      expect(status.json.audit).toEqual([
        expect.objectContaining({ type: 'REQUEST_REJECTED', status: 'INVALID', detail: { reasons: res.json.reasons, source: 'api', requestId: 'bad-post' } }),
      ]);
      expect(e2e.rt.executions.describe(res.json.purchaseId)).toBeUndefined();
      expect(cocalcAccountOf(e2e).cart).toHaveLength(cartBefore);
    });

    it('answers a body that is not JSON, or not declared as JSON, with 400, and audits it too', async () => {
      const notJson = await callApi(e2e.rt, 'POST', '/purchases', undefined, { rawBody: '{"requestId": "x",' });
      expect(notJson.status).toBe(400);
      expect(notJson.json).toMatchObject({ error: 'InvalidRequest', message: 'request body is not valid JSON', reasons: ['(body): not valid JSON'] });
      expect(notJson.json.purchaseId).toMatch(/^invalid-/);
      const trail = await auditTrail(e2e, notJson.json.purchaseId);
      expect(trail).toEqual([
        expect.objectContaining({ type: 'REQUEST_REJECTED', status: 'INVALID', detail: { reasons: ['(body): not valid JSON'], source: 'api' } }),
      ]);

      const form = await callApi(e2e.rt, 'POST', '/purchases', undefined, { rawBody: 'requestId=x', contentType: 'application/x-www-form-urlencoded' });
      expect(form.status).toBe(400);
      expect(form.json.message).toBe('Content-Type must be application/json, not application/x-www-form-urlencoded');
    });

    it('refuses an unsigned POST at the gateway, before any function runs', async () => {
      const res = await callApi(e2e.rt, 'POST', '/purchases', cocalcRequest({ requestId: 'unsigned' }), { signed: false });
      expect(res.status).toBe(403);
      expect(await auditTrail(e2e, purchaseIdFor('unsigned'))).toEqual([]);
      expect(e2e.rt.executions.describe(purchaseIdFor('unsigned'))).toBeUndefined();
    });

    it('answers an invalid event with a "License Purchase Failed" event naming the reasons, and audits it', async () => {
      const buysBefore = isBuys();
      await sendRequestEvent(e2e.rt, interserverRequest({ requestId: 'bad-event', item: { ip: '999.1.1.1', licenseType: 5006 } }));
      const purchaseId = purchaseIdFor('bad-event');
      const failed = await waitFor('the rejection event', () => workflowEvents(e2e.rt, purchaseId)[0]);
      expect(failed['detail-type']).toBe(EVENTS.failed);
      expect(failed.detail).toMatchObject({
        purchaseId,
        requestId: 'bad-event',
        stage: 'intake',
        code: 'REQUEST_REJECTED',
        reasons: ['item.ip: ip must be an IPv4 address'],
      });
      expect(await auditTrail(e2e, purchaseId)).toEqual([
        expect.objectContaining({
          type: 'REQUEST_REJECTED',
          status: 'INVALID',
          detail: { reasons: ['item.ip: ip must be an IPv4 address'], source: 'event', requestId: 'bad-event' },
        }),
      ]);
      // A poison event is answered, not retried: the delivery succeeded.
      await e2e.rt.eventsIdle();
      expect(e2e.rt.eventDeliveryFailures).toEqual([]);
      expect(e2e.rt.executions.describe(purchaseId)).toBeUndefined();
      expect(await purchaseRecord(e2e, purchaseId)).toBeUndefined();
      expect(isBuys()).toBe(buysBefore);

      // Without even a requestId, the rejection is still audited, under an id of its own.
      await sendRequestEvent(e2e.rt, { vendor: 'cocalc' });
      const anonymous = await waitFor('the second rejection event', () =>
        workflowEvents(e2e.rt).find((e) => String((e.detail as { purchaseId: string }).purchaseId).startsWith('invalid-')),
      );
      const anonymousId = (anonymous.detail as { purchaseId: string }).purchaseId;
      const audited = await auditTrail(e2e, anonymousId);
      expect(audited).toHaveLength(1);
      expect(audited[0]!.detail?.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^requestId: /), expect.stringMatching(/^requester: /)]));
    });

    it('stops a request the vendor catalog cannot price at the quote: INVALID, nothing reserved, nothing bought', async () => {
      const buysBefore = isBuys();
      const res = await postPurchase(e2e.rt, interserverRequest({ requestId: 'unknown-type', item: { ip: '203.0.113.41', licenseType: 'No Such License' } }));
      expect(res.status).toBe(202);
      const purchaseId = res.json.purchaseId as string;
      expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('FAILED');
      const record = await purchaseRecord(e2e, purchaseId);
      expect(record).toMatchObject({ status: 'INVALID' });
      expect(record?.reason).toBe('InvalidRequestError: invalid purchase request: item.licenseType: unknown InterServer license type "No Such License"');
      expect(await reservation(e2e, purchaseId)).toBeUndefined();
      expect(isBuys()).toBe(buysBefore);
      const events = workflowEvents(e2e.rt, purchaseId);
      expect(events.map((e) => e['detail-type'])).toEqual([EVENTS.failed]);
      expect(events[0]!.detail).toMatchObject({ status: 'INVALID', reason: record?.reason });
      expect((await auditTrail(e2e, purchaseId)).at(-1)).toMatchObject({ type: 'NOT_COMPLETED', status: 'INVALID', detail: { error: 'InvalidRequestError' } });
    });
  });
});
