import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import type { FixtureVendorSandbox } from '../fixtures/sandboxes/fixturevendor/server';
import {
  approvalMailFor,
  auditTrail,
  callApi,
  decide,
  E2E_TEST_TIMEOUT_MS,
  postPurchase,
  purchaseRecord,
  reservation,
  startProcure,
  type E2e,
} from '../support/e2e-runtime';
import { FIXTURE_VENDOR_TIMEOUT_MS } from '../fixtures/vendors/fixturevendor/shared/env-names';
import { checkVendors } from '../../lib/cli/doctor/vendor-checks';
import type { DoctorTarget } from '../../lib/cli/doctor/target';
import { resourcesOfRuntime } from '../../lib/cli/stack-resources';
import { FAST_BUY_RETRY, fixtureApp, fixtureRequest, fixtureSandboxOf, fixtureTemplate, fixtureTokenOf } from './support/fixture';

/**
 * Issue #10's proof of the vendor seam: a vendor added through the seam alone. The Fixture Vendor
 * (test/fixtures/vendors/fixturevendor: its folder, its sandbox in test/fixtures/sandboxes, and one
 * line in each registry list, its ./registry/) is registered by the procure-fixture-vendor
 * condition, with no other edit of procure: procure's own CDK app, synthesized and bundled under
 * that condition, runs whole on the local runtime, and this file runs under it too (vitest.config.mts).
 * The money is counted at the vendor's sandbox, whose price list is this file's ($4.25 a team seat).
 */

const request = (requestId: string, item: unknown) => fixtureRequest(requestId, item, 'seats for the team');

describe('a vendor added through the seam alone', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  const vendor = (): FixtureVendorSandbox => fixtureSandboxOf(e2e.rt);
  const ordersOf = (purchaseId: string) => vendor().orders.filter((o) => o.key === purchaseId);
  const count = (types: string[], type: string) => types.filter((t) => t === type).length;

  beforeAll(async () => {
    e2e = await startProcure({
      ...fixtureApp(),
      sandboxes: { fixturevendor: { prices: { team: 4.25 } } },
      stateMachineOverrides: { retryIntervalOverrides: FAST_BUY_RETRY },
      // The order's client gives up after 3 s (10 s on AWS), so a late answer is met within a test.
      configOverrides: { [FIXTURE_VENDOR_TIMEOUT_MS]: '3000' },
    });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('synthesizes with its own function, its own secret, and a grant to it for its callers only', () => {
    const template = fixtureTemplate();
    const resources = Object.entries(template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>);
    const secret = resources.find(
      ([, r]) => r.Type === 'AWS::SecretsManager::Secret' && String(r.Properties?.Description).includes('Fixture Vendor API token'),
    );
    expect(secret).toBeDefined();
    const readers = resources
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.PolicyDocument).includes(`"Ref":"${secret![0]}"`))
      .map(([id]) => id.replace(/Role.*$/, ''))
      .sort();
    expect(readers).toEqual(['FixtureVendorBuy', 'ListLicenses', 'PreparePurchase', 'QuotesApi', 'Reconcile', 'RecordOutcome', 'VerifyLicense']);
    const functions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id]) => id);
    expect(functions.some((id) => id.startsWith('FixtureVendorBuy'))).toBe(true);
    // Its setting (its settings.ts): a configuration key with its default, its callers' variable, a stack output.
    const urlOf = (id: string) =>
      (
        resources.find(([rid, r]) => rid.startsWith(id) && r.Type === 'AWS::Lambda::Function')![1].Properties as {
          Environment: { Variables: Record<string, unknown> };
        }
      ).Environment.Variables.FIXTURE_VENDOR_URL;
    expect(urlOf('FixtureVendorBuy')).toBe('https://fixture-vendor.invalid/v1');
    expect(urlOf('ListLicenses')).toBe('https://fixture-vendor.invalid/v1');
    expect(urlOf('RecordOutcome')).toBe('https://fixture-vendor.invalid/v1');
    expect(urlOf('Reconcile')).toBe('https://fixture-vendor.invalid/v1');
    expect(urlOf('Intake')).toBeUndefined();
    expect(template.Outputs.FixturevendorBaseUrl).toMatchObject({
      Value: 'https://fixture-vendor.invalid/v1',
      Description: 'Fixture Vendor API the functions call',
    });
  });

  it('quotes from its price list, asks a person, orders once at the vendor, verifies and completes', async () => {
    const quote = await callApi(e2e.rt, 'POST', '/quotes', request('fixture-quote', { plan: 'team', seats: 3 }));
    expect(quote.json).toMatchObject({ vendor: 'fixturevendor', amountUsd: 12.75, priceSource: 'fixture-price-list' });

    const submitted = await postPurchase(e2e.rt, request('fixture-seats-1', { plan: 'team', seats: 3 }));
    const purchaseId = purchaseIdFor('fixture-seats-1');
    expect(submitted.status).toBe(202);
    const { mail, link } = await approvalMailFor(e2e, purchaseId);
    expect(mail.subject).toContain('Fixture Vendor');
    expect(mail.text).toContain('$12.75');
    await decide(link, 'approve', 'looks right');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('SUCCEEDED');

    const types = (await auditTrail(e2e, purchaseId)).map((a) => a.type);
    for (const type of [
      'REQUEST_RECEIVED',
      'QUOTED',
      'BUDGET_RESERVED',
      'APPROVAL_SENT',
      'APPROVAL_DECIDED',
      'VENDOR_CALL',
      'PURCHASED',
      'LICENSE_VERIFIED',
      'COMPLETED',
    ]) {
      expect({ type, times: count(types, type) }).toEqual({ type, times: 1 });
    }
    // The vendor's truth: one order call, for what was approved, charged once.
    expect(vendor().calls.filter((c) => c === 'POST /v1/orders')).toHaveLength(1);
    expect(ordersOf(purchaseId)).toMatchObject([{ plan: 'team', seats: 3, chargedUsd: 12.75 }]);
    const licenseId = ordersOf(purchaseId)[0]!.licenseId;
    // The seats held before approval (its preparation) are the ones the order took.
    expect(vendor().holds.filter((h) => h.key === purchaseId)).toMatchObject([{ seats: 3, licenseId }]);
    // Its hold id is a string (CoCalc's cart items are numbers): procure carried it as the vendor named it.
    const holdId = vendor().holds.find((h) => h.key === purchaseId)!.id;
    expect(holdId).toMatch(/^h-[0-9a-f]+$/);
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'COMPLETED', licenseId, amountUsd: 12.75, cartItemId: holdId });
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'COMMITTED', amountCents: 1275 });

    const listed = await callApi(e2e.rt, 'GET', '/licenses?vendor=fixturevendor');
    expect(listed.status).toBe(200);
    expect(listed.json.licenses).toContainEqual(expect.objectContaining({ vendor: 'fixturevendor', id: licenseId, target: '3 seat(s)' }));
  });

  it('asks again when the price rose after the approval, then orders once at the new price', async () => {
    const purchaseId = purchaseIdFor('fixture-seats-3');
    const holdsBefore = vendor().calls.filter((c) => c === 'POST /v1/holds').length;
    await postPurchase(e2e.rt, request('fixture-seats-3', { plan: 'enterprise', seats: 5 }));
    const first = await approvalMailFor(e2e, purchaseId);
    expect(first.mail.text).toContain('$47.50');
    vendor().setPrice('enterprise', 10);
    try {
      await decide(first.link, 'approve', 'fine');
      const second = await approvalMailFor(e2e, purchaseId, 2);
      expect(second.mail.text).toContain('$50.00');
      expect(ordersOf(purchaseId)).toEqual([]);
      await decide(second.link, 'approve', 'still fine');
      expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
    } finally {
      vendor().setPrice('enterprise', 9.5);
    }
    const types = (await auditTrail(e2e, purchaseId)).map((a) => a.type);
    expect(count(types, 'QUOTE_MISMATCH')).toBe(1);
    expect(count(types, 'REQUOTED')).toBe(1);
    expect(ordersOf(purchaseId)).toMatchObject([{ plan: 'enterprise', seats: 5, chargedUsd: 50 }]);
    // One hold, made before the first approval and kept through the re-quote, taken by the order.
    expect(vendor().calls.filter((c) => c === 'POST /v1/holds').length - holdsBefore).toBe(1);
    expect(vendor().holds.filter((h) => h.key === purchaseId)).toMatchObject([{ licenseId: ordersOf(purchaseId)[0]!.licenseId }]);
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'COMMITTED', amountCents: 5000 });
  });

  it('buys once when the vendor orders and answers after the client gave up: the retry replays the order, never re-prices it', async () => {
    const purchaseId = purchaseIdFor('fixture-seats-late');
    const orderCalls = () => vendor().calls.filter((c) => c === 'POST /v1/orders').length;
    const priceCalls = () => vendor().calls.filter((c) => c === 'GET /v1/prices').length;
    await postPurchase(e2e.rt, request('fixture-seats-late', { plan: 'team', seats: 2 }));
    const { link } = await approvalMailFor(e2e, purchaseId);
    const [ordersBefore, pricesBefore] = [orderCalls(), priceCalls()];
    vendor().answerLate(1, 4_500);

    await decide(link, 'approve', 'go');
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');

    // The vendor's truth: two order calls with one key, one order, charged once.
    expect(orderCalls() - ordersBefore).toBe(2);
    expect(priceCalls() - pricesBefore).toBe(1); // the replay did not price again
    expect(ordersOf(purchaseId)).toMatchObject([{ plan: 'team', seats: 2, chargedUsd: 8.5 }]);
    const licenseId = ordersOf(purchaseId)[0]!.licenseId;
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'COMPLETED', licenseId, amountUsd: 8.5 });
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'COMMITTED', amountCents: 850 });
    const calls = (await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'VENDOR_CALL').map((a) => a.message);
    expect(calls).toEqual(['Ordering 2 team seat(s)', 'Ordering 2 team seat(s) (again: the earlier answer was lost)']);
  });

  it('is signed in by procure doctor through its own sign-in check, at the URL its setting gives, and a wrong token is named a refusal', async () => {
    const resources = resourcesOfRuntime(e2e.rt);
    expect(resources.settings.fixturevendorBaseUrl).toBe(vendor().url);
    const target = { kind: 'local', dataDir: '/tmp/procure-doctor', resources } as unknown as DoctorTarget;
    const token = await fixtureTokenOf(e2e.rt);
    const calls = vendor().calls.length;

    const [good] = (await checkVendors(target, { fixturevendor: { token }, sensitive: [] })).filter((c) => c.name.includes('Fixture Vendor'));
    const [bad] = (await checkVendors(target, { fixturevendor: { token: 'not-the-token' }, sensitive: [] })).filter((c) => c.name.includes('Fixture Vendor'));

    expect(good).toEqual({ name: 'vendor: Fixture Vendor token (GET /prices)', ok: true, detail: `${vendor().url} accepted the token` });
    expect(bad).toMatchObject({ ok: false, detail: `${vendor().url} refused the token: VendorAuthError: Fixture Vendor /prices: not authorized` });
    expect(bad!.fix).toMatch(/^create a token in the Fixture Vendor's console and store it: edit \/tmp\/procure-doctor\/secrets\.json/);
    // Read-only: two price-list reads, nothing ordered.
    expect(vendor().calls.slice(calls)).toEqual(['GET /v1/prices', 'GET /v1/prices']);
  });

  it('refuses at intake what only its profile refuses, naming the field, and calls the vendor for nothing', async () => {
    const calls = vendor().calls.length;
    const mails = e2e.rt.mails.length;
    const refused = await postPurchase(e2e.rt, request('fixture-seats-2', { plan: 'enterprise', seats: 2 }));
    expect(refused.status).toBe(400);
    expect(refused.json.reasons).toEqual(['item.seats: the enterprise plan starts at 5 seats']);
    // Audited with its reason; no vendor call, no mail.
    const trail = await auditTrail(e2e, purchaseIdFor('fixture-seats-2'));
    expect(trail.map((a) => a.type)).toEqual(['REQUEST_REJECTED']);
    expect(JSON.stringify(trail[0])).toContain('the enterprise plan starts at 5 seats');
    expect(vendor().calls).toHaveLength(calls);
    expect(e2e.rt.mails).toHaveLength(mails);
  });
});
