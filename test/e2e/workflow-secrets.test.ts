import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/shared/env-names';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  approvalMailFor,
  callApi,
  cocalcAccountOf,
  decide,
  getPurchase,
  openLink,
  postDecision,
  postPurchase,
  purchaseIdFor,
  scanTable,
  secretValue,
  sendRequestEvent,
  startProcure,
  type ApiResponse,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';

/**
 * Issue #4, secrets never leak: after purchases that succeed and purchases that fail at the vendor
 * (a refused key, a rotated password, lost connections), none of the three secret values appears in
 * anything procure wrote or said: runtime and handler logs (at DEBUG), the audit and state tables,
 * emitted events, mails (as delivered and as .eml files), execution inputs, outputs, errors and
 * histories, and API responses.
 */
describe('secrets, end to end', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  const responses: string[] = [];
  const secrets: Record<string, string> = {};

  const keep = (r: ApiResponse | { status: number; html: string }): void => {
    responses.push('html' in r ? r.html : r.text);
  };

  beforeAll(async () => {
    // Every function logs at DEBUG: the more it says, the more a leak would show.
    e2e = await startProcure({ configOverrides: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });
    const cocalc = JSON.parse(await secretValue(e2e.rt, 'CocalcCheckout', ENV.COCALC_SECRET_ARN)) as { apiKey: string };
    const interserver = JSON.parse(await secretValue(e2e.rt, 'InterserverBuy', ENV.INTERSERVER_SECRET_ARN)) as { password: string };
    secrets['CoCalc API key'] = cocalc.apiKey;
    // The form it travels in: HTTP Basic "key:" (a logged Authorization header would show this).
    secrets['CoCalc Basic credentials'] = Buffer.from(`${cocalc.apiKey}:`).toString('base64');
    secrets['InterServer password'] = interserver.password;
    secrets['approval signing key'] = await secretValue(e2e.rt, 'RequestApproval', ENV.SIGNING_SECRET_ARN);
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('reads real secrets that the sandboxes accept (so the scenarios below use them)', () => {
    expect(cocalcAccountOf(e2e).apiKey).toBe(secrets['CoCalc API key']);
    expect(e2e.rt.sandboxes.interserver!.state.account.password).toBe(secrets['InterServer password']);
    for (const value of Object.values(secrets)) expect(value.length).toBeGreaterThanOrEqual(12);
  });

  it('runs purchases that succeed and purchases that fail at the vendor', async () => {
    const { rt } = e2e;
    // 1. CoCalc, approved, with a lost checkout answer on the way (reconciled).
    await sendRequestEvent(rt, cocalcRequest({ requestId: 'secret-cocalc-ok' }));
    const cocalcOk = purchaseIdFor('secret-cocalc-ok');
    const first = await approvalMailFor(e2e, cocalcOk);
    keep(await openLink(first.link));
    rt.sandboxes.cocalc!.faults.set({ applyThenDropNext: 1, operations: ['purchases/shopping-cart-checkout'] });
    keep(await decide(first.link, 'approve'));
    expect((await rt.executions.wait(cocalcOk, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');

    // 2. InterServer, approved.
    const isOk = await postPurchase(rt, interserverRequest({ requestId: 'secret-is-ok', item: { ip: '203.0.113.71', licenseType: 5006 } }));
    keep(isOk);
    keep(await decide((await approvalMailFor(e2e, isOk.json.purchaseId)).link, 'approve'));
    expect((await rt.executions.wait(isOk.json.purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');

    // 3. CoCalc refuses the key at the cart ("anonymous"): the purchase fails before approval.
    rt.sandboxes.cocalc!.faults.set({ forcedError: 'must be signed in to use shopping cart', operations: ['shopping/cart/add'] });
    keep(await postPurchase(rt, cocalcRequest({ requestId: 'secret-cocalc-auth' })));
    const cocalcAuth = await rt.executions.wait(purchaseIdFor('secret-cocalc-auth'), { timeoutMs: 60_000 });
    expect(cocalcAuth.status).toBe('FAILED');
    rt.sandboxes.cocalc!.faults.reset();

    // 4. InterServer's password is rotated at the vendor while the purchase waits for approval:
    //    the buy's re-login is refused.
    const isRotated = await postPurchase(rt, interserverRequest({ requestId: 'secret-is-rotated', item: { ip: '203.0.113.72', licenseType: 5006 } }));
    keep(isRotated);
    const rotatedLink = (await approvalMailFor(e2e, isRotated.json.purchaseId)).link;
    const vendorAccount = rt.sandboxes.interserver!.state.account;
    vendorAccount.password = 'rotated-elsewhere-0000';
    rt.sandboxes.interserver!.state.expireSessions();
    keep(await decide(rotatedLink, 'approve'));
    expect((await rt.executions.wait(isRotated.json.purchaseId, { timeoutMs: 60_000 })).status).toBe('FAILED');

    // 5. Listing licenses while both vendors misbehave: a 502 answer, and the errors in the log.
    rt.sandboxes.cocalc!.faults.set({ dropNext: 1 });
    keep(await callApi(rt, 'GET', '/licenses'));
    keep(await callApi(rt, 'GET', '/licenses?vendor=interserver'));
    rt.sandboxes.cocalc!.faults.reset();

    // 6. Tampered and replayed links, status reads, and an invalid body.
    keep(await postDecision(first.link, { sig: 'A'.repeat(43), decision: 'approve' }));
    keep(await postDecision(first.link, { sig: new URL(first.link).searchParams.get('sig')!, decision: 'reject' }));
    keep(await callApi(rt, 'POST', '/purchases', undefined, { rawBody: 'not json' }));
    for (const id of [cocalcOk, isOk.json.purchaseId, purchaseIdFor('secret-cocalc-auth'), isRotated.json.purchaseId]) keep(await getPurchase(rt, id));
    await rt.eventsIdle();

    // The failures are the ones intended (so the error paths really ran).
    const statuses = await Promise.all(
      ['secret-cocalc-auth', 'secret-is-rotated'].map(async (r) => (await getPurchase(rt, purchaseIdFor(r))).json as { status: string; reason: string }),
    );
    expect(statuses[0]).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^VendorAuthError: /) });
    expect(statuses[1]).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^VendorAuthError: /) });
    vendorAccount.password = secrets['InterServer password']!;
  });

  it('leaves no secret value in logs, tables, events, mails, executions or API responses', async () => {
    const { rt } = e2e;
    const executions = rt.executions.list().map((x) => ({ ...x, history: rt.executions.history(x.name) }));
    const emlFiles = readdirSync(rt.outboxDir).map((f) => readFileSync(join(rt.outboxDir, f), 'utf8'));
    const sources: Record<string, string> = {
      logs: e2e.logs.join('\n'),
      'audit table': JSON.stringify(await scanTable(e2e, e2e.auditTable)),
      'state table': JSON.stringify(await scanTable(e2e, e2e.stateTable)),
      'emitted events': JSON.stringify(rt.emittedEvents),
      'event delivery failures': JSON.stringify(rt.eventDeliveryFailures),
      mails: JSON.stringify(rt.mails),
      '.eml files': emlFiles.join('\n'),
      executions: JSON.stringify(executions),
      'API responses': responses.join('\n'),
    };

    // The collection is real: each source holds what the scenarios produced.
    expect(sources.logs).toContain('VendorAuthError');
    expect(sources.logs).toMatch(/"level":"DEBUG"|"level":"WARN"|"level":"ERROR"/);
    expect(sources['audit table']).toContain('NOT_COMPLETED');
    expect(sources['emitted events']).toContain('License Purchase Failed');
    expect(emlFiles.length).toBeGreaterThanOrEqual(3);
    expect(executions.length).toBeGreaterThanOrEqual(4);
    expect(sources['API responses']).toContain('could not list the cocalc licenses');

    const leaks: string[] = [];
    for (const [secret, value] of Object.entries(secrets)) {
      for (const [where, text] of Object.entries(sources)) if (text.includes(value)) leaks.push(`${secret} in ${where}`);
    }
    expect(leaks).toEqual([]);
  });
});
