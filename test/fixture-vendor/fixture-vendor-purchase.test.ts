import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import type { FixtureVendorSandbox } from '../fixtures/sandboxes/fixturevendor/server';
import {
  auditTrail,
  callApi,
  decidePurchase,
  E2E_TEST_TIMEOUT_MS,
  inOrder,
  postPurchase,
  purchaseRecord,
  reservation,
  startProcure,
  type E2e,
} from '../support/e2e-runtime';
import { PROJECT_DIR } from '../support/project-dir';

/**
 * Issue #10's proof of the vendor seam: a vendor added through the seam alone. The Fixture Vendor
 * (test/fixtures/vendors/fixturevendor: its folder, its sandbox in test/fixtures/sandboxes, and one
 * line in each registry list, its ./registry/) is registered by the procure-fixture-vendor
 * condition, with no other edit of procure: procure's own CDK app, synthesized and bundled under
 * that condition, runs whole on the local runtime, and this file runs under it too (vitest.config.mts).
 * The money is counted at the vendor's sandbox.
 */

const FIXTURE_APP = {
  cdkOut: 'cdk.out.fixture-vendor',
  app: 'npx tsx --conditions=procure-fixture-vendor test/fixtures/vendors/fixturevendor/app.ts',
  stackName: 'ProcureFixtureVendor',
  watch: ['bin', 'lib', 'lambdas', 'package.json', 'package-lock.json', 'test/fixtures/vendors/fixturevendor', 'test/fixtures/sandboxes/fixturevendor'],
} as const;

function request(requestId: string, item: unknown) {
  return { requestId, vendor: 'fixturevendor', item, requester: { email: 'ada@example.com', name: 'Ada' }, reason: 'seats for the team' };
}

describe('a vendor added through the seam alone', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  const vendor = (): FixtureVendorSandbox => e2e.rt.sandboxes.fixturevendor as FixtureVendorSandbox;

  beforeAll(async () => {
    e2e = await startProcure({
      projectDir: PROJECT_DIR,
      cdkOut: FIXTURE_APP.cdkOut,
      app: FIXTURE_APP.app,
      stackName: FIXTURE_APP.stackName,
      watch: [...FIXTURE_APP.watch],
    });
  }, 600_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('synthesizes with its own function, its own secret, and a grant to it for its callers only', () => {
    const template = JSON.parse(readFileSync(join(PROJECT_DIR, FIXTURE_APP.cdkOut, `${FIXTURE_APP.stackName}.template.json`), 'utf8'));
    const resources = Object.entries(template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>);
    const secret = resources.find(
      ([, r]) => r.Type === 'AWS::SecretsManager::Secret' && String(r.Properties?.Description).includes('Fixture Vendor API token'),
    );
    expect(secret).toBeDefined();
    const readers = resources
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.PolicyDocument).includes(`"Ref":"${secret![0]}"`))
      .map(([id]) => id.replace(/Role.*$/, ''))
      .sort();
    expect(readers).toEqual(['FixtureVendorBuy', 'ListLicenses', 'PreparePurchase', 'QuotesApi', 'VerifyLicense']);
    const functions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id]) => id);
    expect(functions.some((id) => id.startsWith('FixtureVendorBuy'))).toBe(true);
  });

  it('quotes, asks a person, buys once at the vendor, verifies and completes', async () => {
    const submitted = await postPurchase(e2e.rt, request('fixture-seats-1', { plan: 'team', seats: 3 }));
    const purchaseId = purchaseIdFor('fixture-seats-1');
    expect(submitted.status).toBe(202);
    await decidePurchase(e2e, purchaseId, 'approve', 'looks right');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('SUCCEEDED');

    const types = (await auditTrail(e2e, purchaseId)).map((a) => a.type);
    const expected = [
      'REQUEST_RECEIVED',
      'QUOTED',
      'BUDGET_RESERVED',
      'APPROVAL_SENT',
      'APPROVAL_DECIDED',
      'VENDOR_CALL',
      'PURCHASED',
      'LICENSE_VERIFIED',
      'COMPLETED',
    ];
    expect(inOrder(types, expected)).toEqual(expected);

    // The vendor's truth: one order, for what was approved (3 team seats at $4.00), charged once.
    const orders = vendor().orders.filter((o) => o.key === purchaseId);
    expect(orders).toMatchObject([{ plan: 'team', seats: 3, chargedUsd: 12 }]);
    const record = await purchaseRecord(e2e, purchaseId);
    expect(record).toMatchObject({ status: 'COMPLETED', licenseId: orders[0]!.licenseId, amountUsd: 12 });
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'COMMITTED', amountCents: 1200 });

    const listed = await callApi(e2e.rt, 'GET', '/licenses?vendor=fixturevendor');
    expect(listed.status).toBe(200);
    expect(listed.json.licenses).toContainEqual(expect.objectContaining({ vendor: 'fixturevendor', id: orders[0]!.licenseId, target: '3 seat(s)' }));
  });

  it('refuses at intake what only its profile refuses, naming the field, and calls the vendor for nothing', async () => {
    const before = vendor().orders.length;
    const refused = await postPurchase(e2e.rt, request('fixture-seats-2', { plan: 'enterprise', seats: 2 }));
    expect(refused.status).toBe(400);
    expect(refused.json.reasons).toEqual(['item.seats: the enterprise plan starts at 5 seats']);
    expect(vendor().orders).toHaveLength(before);
  });
});
