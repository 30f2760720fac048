import { approvalPolicyEnv } from '../../lib/approval-policy-config';
import { resolveProcureConfig } from '../../lib/resolve-config';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { computeSiteLicenseCost, type CocalcCostInput } from '../../lambdas/vendors/cocalc/core/pricing';
import { ENV } from '../../lambdas/shared/env-names';
import { LICENSE_TYPES } from '../../lib/local/sandboxes/interserver/catalog';
import { runCli } from '../support/cli';
import {
  auditTrail,
  budgetCounter,
  callApi,
  cocalcAccountOf,
  decidePurchase,
  E2E_TEST_TIMEOUT_MS,
  postPurchase,
  purchaseIdFor,
  scanTable,
  startProcure,
  waitFor,
  purchaseRecord,
  type E2e,
} from '../support/e2e-runtime';
import { cocalcRequest, interserverRequest } from '../support/requests';

/**
 * Issue #13 §4 and §5 end to end, through the synthesized API on the local runtime and the CLI:
 * a quote prices a request exactly as the workflow then charges it and touches nothing (the CoCalc
 * sandbox's cart, the budget counters, both tables, mail, executions); the purchase list pages
 * through every purchase with filters, names who still has to decide, and shows a hostile
 * requester name escaped.
 */
describe('quotes and the purchase list, end to end', { timeout: E2E_TEST_TIMEOUT_MS * 2 }, () => {
  let e2e: E2e;
  /** No runtime.json here: with a loopback --api the CLI signs with the AWS_* variables below. */
  const dataDir = join(tmpdir(), `procure-e2e-quote-list-${process.pid}-none`);
  // $3 InterServer licenses are auto-approved, the $18 CoCalc test license is not; a $34.95 cPanel
  // license is more than the InterServer budget.
  const AUTO_APPROVE_MAX_USD = 5;
  const INTERSERVER_CAP_USD = 30;
  const description = cocalcRequest().item as { description: CocalcCostInput };
  const COCALC_PRICE = computeSiteLicenseCost(description.description).lineItemAmount;
  const SOFTACULOUS_PRICE = LICENSE_TYPES.get(5006)!.services_cost;

  beforeAll(async () => {
    e2e = await startProcure({
      configOverrides: {
        ...approvalPolicyEnv(resolveProcureConfig({ autoApproveMaxUsd: AUTO_APPROVE_MAX_USD })),
        [ENV.MONTHLY_CAP_INTERSERVER_USD]: String(INTERSERVER_CAP_USD),
      },
    });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  const cliEnv = (): NodeJS.ProcessEnv => {
    const { accessKeyId, secretAccessKey } = e2e.rt.clientConfig('aws').credentials;
    return { ...process.env, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
  };
  const cli = (args: string[], input?: string) =>
    runCli([...args, '--api', e2e.rt.apiUrl, '--data-dir', dataDir], { env: cliEnv(), ...(input !== undefined ? { input } : {}), timeoutMs: 90_000 });
  const quote = (body: unknown) => callApi(e2e.rt, 'POST', '/quotes', body);
  const list = (query = '') => callApi(e2e.rt, 'GET', `/purchases${query}`);

  /** Everything a quote could change: vendor sandboxes, procure's tables, mail, executions. */
  async function everything() {
    const cocalc = cocalcAccountOf(e2e);
    const interserver = e2e.rt.sandboxes.interserver!.state;
    return {
      cart: structuredClone(cocalc.cart),
      cocalcBalance: cocalc.balance,
      cocalcLicenses: cocalc.licenses.length,
      interserverBuys: interserver.requests.filter((r) => r.operation.startsWith('api_buy_license')).length,
      interserverLicenses: interserver.licenses.length,
      state: await scanTable(e2e, e2e.stateTable),
      audit: await scanTable(e2e, e2e.auditTable),
      mails: e2e.rt.mails.length,
      executions: e2e.rt.executions.list().length,
    };
  }

  it('quotes through POST /quotes and procure quote without reserving, carting, mailing or auditing anything', async () => {
    const before = await everything();

    const cocalc = await quote(cocalcRequest({ requestId: 'quote-cocalc' }));
    const softaculous = await quote(interserverRequest({ requestId: 'quote-is' }));
    const cpanel = await quote(interserverRequest({ requestId: 'quote-cpanel', item: { ip: '203.0.113.77', licenseType: 5000 } }));
    const invalid = await quote({ ...interserverRequest(), requester: { email: 'not-an-email', name: 'Eve' }, item: { ip: '10.1.2.3', licenseType: 5006 } });
    const unknownType = await quote(interserverRequest({ item: { ip: '203.0.113.10', licenseType: 4242 } }));
    const unsigned = await callApi(e2e.rt, 'POST', '/quotes', interserverRequest(), { signed: false });

    expect(cocalc.status).toBe(200);
    expect(cocalc.json).toMatchObject({
      vendor: 'cocalc',
      amountUsd: COCALC_PRICE,
      priceSource: 'cocalc-v3-formula',
      budget: { capUsd: 500, reservedUsd: 0, remainingUsd: 500, remainingAfterUsd: 500 - COCALC_PRICE, fits: true },
      approval: { autoApprove: false, tier: 2, approvalsNeeded: 1 },
      problems: [],
    });
    expect(softaculous.json).toMatchObject({
      amountUsd: SOFTACULOUS_PRICE,
      interserverType: { id: 5006, name: 'Softaculous' },
      approval: { autoApprove: true },
    });
    expect(cpanel.json).toMatchObject({
      amountUsd: LICENSE_TYPES.get(5000)!.services_cost,
      budget: { remainingUsd: INTERSERVER_CAP_USD, fits: false },
      problems: [
        `budget: $34.95 is more than the $30.00 left of interserver's $30.00 for ${new Date().toISOString().slice(0, 7)}; the purchase would fail at PreparePurchase, its budget reservation`,
      ],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.reasons).toEqual([expect.stringMatching(/^requester\.email: /), expect.stringMatching(/^item\.ip: ip must be a public IPv4 address/)]);
    expect(unknownType.status).toBe(400);
    expect(unknownType.json.reasons).toEqual(['item.licenseType: unknown InterServer license type 4242']);
    expect(unsigned.status).toBe(403);

    // The CLI: the same quote read from stdin, as a table and as JSON; refusals and problems exit 1.
    const text = await cli(['quote', '-'], JSON.stringify(cocalcRequest({ requestId: 'quote-cocalc' })));
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^price\\s+\\$${COCALC_PRICE.toFixed(2).replace('.', '\\.')} \\(CoCalc's v3 price formula`, 'm'));
    expect(text.stdout).toMatch(/^budget\s+\$500\.00 of \$500\.00 left for cocalc in \d{4}-\d{2}; \$\d+\.\d{2} after this purchase$/m);
    expect(text.stdout).toMatch(/^approval\s+tier 2 \(above \$5\.00\): any 1 of 1 approver$/m);
    expect(text.stdout).toMatch(/^problems\s+none$/m);
    const asJson = await cli(['quote', '-', '--json'], JSON.stringify(interserverRequest({ requestId: 'quote-is' })));
    expect(asJson.code).toBe(0);
    const { quotedAt: _a, ...viaCli } = JSON.parse(asJson.stdout) as Record<string, unknown>;
    const { quotedAt: _b, ...viaApi } = softaculous.json as Record<string, unknown>;
    expect(viaCli).toEqual(viaApi);
    const overBudget = await cli(
      ['quote', '-'],
      JSON.stringify(interserverRequest({ requestId: 'quote-cpanel', item: { ip: '203.0.113.77', licenseType: 5000 } })),
    );
    expect(overBudget.code).toBe(1);
    expect(overBudget.stdout).toMatch(/^ {2}- budget: \$34\.95 is more than the \$30\.00 left/m);
    const refused = await cli(['quote', '-'], JSON.stringify({ ...interserverRequest(), requester: { email: 'not-an-email', name: 'Eve' } }));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: stdin would be refused \(nothing was submitted or reserved\):\n {2}- requester\.email: /);

    // Nothing anywhere changed: the CoCalc cart is untouched, no InterServer order, no budget held,
    // not one item in either table (no audit entry for a quote), no mail, no execution.
    expect(await everything()).toEqual(before);
    expect(await budgetCounter(e2e, 'cocalc')).toEqual({ reservedCents: 0, holders: {} });
    expect(await budgetCounter(e2e, 'interserver')).toEqual({ reservedCents: 0, holders: {} });
  });

  it('quotes what the workflow then charges, and the approval it then needs', async () => {
    const isQuote = (await quote(interserverRequest({ requestId: 'buy-is', item: { ip: '203.0.113.20', licenseType: 5006 } }))).json;
    const cocalcQuote = (await quote(cocalcRequest({ requestId: 'buy-cocalc' }))).json;

    const is = await postPurchase(e2e.rt, interserverRequest({ requestId: 'buy-is', item: { ip: '203.0.113.20', licenseType: 5006 } }));
    const co = await postPurchase(e2e.rt, cocalcRequest({ requestId: 'buy-cocalc' }));
    expect([is.status, co.status]).toEqual([202, 202]);

    // Auto-approved as quoted: completes with no mail.
    const isId = purchaseIdFor('buy-is');
    expect((await e2e.rt.executions.wait(isId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
    const isQuoted = (await auditTrail(e2e, isId)).find((a) => a.type === 'QUOTED')!;
    expect(isQuoted.detail).toMatchObject({ amountUsd: isQuote.amountUsd, autoApprove: true });
    // A person approves the CoCalc one, as quoted; CoCalc charges exactly the quote.
    const coId = purchaseIdFor('buy-cocalc');
    await decidePurchase(e2e, coId, 'approve');
    expect((await e2e.rt.executions.wait(coId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
    expect((await auditTrail(e2e, coId)).find((a) => a.type === 'QUOTED')!.detail).toMatchObject({ amountUsd: cocalcQuote.amountUsd, autoApprove: false });
    expect(cocalcAccountOf(e2e).purchases.map((p) => p.cost)).toEqual([cocalcQuote.amountUsd]);

    // The next quote sees the budget they took.
    expect((await quote(cocalcRequest({ requestId: 'after' }))).json.budget).toMatchObject({ reservedUsd: COCALC_PRICE, remainingUsd: 500 - COCALC_PRICE });
  });

  it('lists purchases through GET /purchases and procure list: filters, pages, who decides, hostile text escaped', async () => {
    // One waiting for its approver, and an older record whose requester name was stored before
    // intake refused control characters (written straight to the table: intake would refuse it now).
    const pending = await postPurchase(e2e.rt, cocalcRequest({ requestId: 'list-pending', requester: { email: 'grace@example.com', name: 'Grace Hopper' } }));
    const pendingId = pending.json.purchaseId as string;
    await waitFor(
      'the purchase to await its approver',
      async () => ((await purchaseRecord(e2e, pendingId))?.status === 'AWAITING_APPROVAL' ? true : undefined),
      60_000,
    );
    const hostileName = 'Eve \x1b]8;;https://evil.example\x07click me\x1b]8;;\x07\x1b[2K\u202Egnp.exe';
    const now = new Date().toISOString();
    await new DynamoPurchaseStore(e2e.doc, e2e.stateTable).create({
      purchaseId: 'pur-hostile0000000000000000000000',
      requestId: 'legacy-1',
      vendor: 'interserver',
      status: 'FAILED',
      requestHash: 'h',
      requester: { name: hostileName, email: 'eve@example.com' },
      createdAt: now,
      updatedAt: now,
    });
    const ids = ['pur-hostile0000000000000000000000', pendingId, purchaseIdFor('buy-cocalc'), purchaseIdFor('buy-is')];

    const all = await list();
    expect(all.status).toBe(200);
    expect(all.json.nextToken).toBeUndefined();
    expect(all.json.purchases.map((p: { purchaseId: string }) => p.purchaseId)).toEqual(ids);
    expect(all.json.purchases[1]).toMatchObject({
      purchaseId: pendingId,
      status: 'AWAITING_APPROVAL',
      vendor: 'cocalc',
      amountUsd: COCALC_PRICE,
      requester: { name: 'Grace Hopper', email: 'grace@example.com' },
      pendingApprovers: ['approver@example.com'],
      approvalExpiresAt: expect.any(String),
      ageSeconds: expect.any(Number),
    });
    expect(all.json.purchases[3]).toMatchObject({ status: 'COMPLETED', pendingApprovers: [], requester: { name: 'Grace Hopper' } });

    // One status; since; pages of one that add up to the whole list; IAM like every other route.
    expect((await list('?status=AWAITING_APPROVAL')).json.purchases.map((p: { purchaseId: string }) => p.purchaseId)).toEqual([pendingId]);
    expect((await list(`?since=${encodeURIComponent(now)}`)).json.purchases.map((p: { purchaseId: string }) => p.purchaseId)).toEqual([ids[0]]);
    const paged: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await list(`?limit=1${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.json.purchases.length).toBe(1);
      paged.push(page.json.purchases[0].purchaseId);
      token = page.json.nextToken;
      pages += 1;
    } while (token && pages < 10);
    expect(paged).toEqual(ids);
    expect((await list('?status=pending')).status).toBe(400);
    expect((await callApi(e2e.rt, 'GET', '/purchases', undefined, { signed: false })).status).toBe(403);

    // The CLI: the waiting purchase and its approver; the hostile name visible, never acting.
    const waiting = await cli(['list', '--status', 'awaiting_approval']);
    expect(waiting.stderr).toBe('');
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toMatch(/^purchase\s+status\s+vendor\s+amount\s+requester\s+age\s+to decide$/m);
    expect(waiting.stdout).toMatch(
      new RegExp(
        `^${pendingId}\\s+AWAITING_APPROVAL\\s+cocalc\\s+\\$18\\.00\\s+Grace Hopper <grace@example\\.com>\\s+\\d+[smhd] \\d*[smh]?\\s*approver@example\\.com \\(until `,
        'm',
      ),
    );
    const table = await cli(['list', '--since', '1h']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Eve \\x1b]8;;https://evil.example\\x07click me');
    expect(table.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(table.stdout.trim().split('\n')).toHaveLength(2 + ids.length);
    const first = await cli(['list', '--limit', '1']);
    expect(first.stdout).toMatch(/^more: npx procure list --limit 1 --api \S+ --data-dir \S+ --next-token [A-Za-z0-9_-]+$/m);
    const everyPage = await cli(['list', '--limit', '1', '--all', '--json']);
    expect(everyPage.code).toBe(0);
    expect(JSON.parse(everyPage.stdout)).toEqual({ purchases: expect.any(Array) });
    expect(
      (JSON.parse(everyPage.stdout) as { purchases: Array<{ purchaseId: string; requester: { name: string } }> }).purchases.map((p) => p.purchaseId),
    ).toEqual(ids);
  });
});
