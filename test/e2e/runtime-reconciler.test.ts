import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { DynamoSpendGuard } from '../../lambdas/adapters/aws/dynamo-spend-guard';
import { tagDescription } from '../../lambdas/vendors/cocalc/core/cart-tag';
import { parsePurchaseRequest, type PurchaseRequest } from '../../lambdas/core/purchase-request';
import type { ReconcileReport } from '../../lambdas/core/reconcile-runner';
import { EVENTS } from '../../lambdas/core/workflow';
import { cocalcRequest } from '../support/requests';
import { cocalcGatewayFor } from '../support/workflow-harness';
import {
  auditTrail,
  budgetCounter,
  cocalcAccountOf,
  E2E_TEST_TIMEOUT_MS,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  startProcure,
  waitFor,
  workflowEvents,
  type E2e,
} from '../support/e2e-runtime';

/**
 * The reconciler on the local runtime: the timer finds the template's EventBridge Scheduler
 * schedule and invokes the same synthesized Reconcile function through the Lambda host
 * (`rt.runSchedules()` runs it now). What it did is checked at the vendor sandbox (the cart) and
 * in procure's own records (purchase, budget, audit trail, events).
 */
describe('the reconciler, end to end', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  const DAY_AGO = new Date(Date.now() - 24 * 3_600_000).toISOString();

  beforeAll(async () => {
    e2e = await startProcure();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  /** One reconciler run through the schedule; its report. */
  async function runReconciler(): Promise<ReconcileReport> {
    // The template has two schedules: the reconciler's and the approval follow-ups'.
    const runs = (await e2e.rt.runSchedules()).filter((r) => r.functionLogicalId === e2e.rt.functions.Reconcile);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ ok: true, functionLogicalId: e2e.rt.functions.Reconcile });
    return runs[0]!.result as ReconcileReport;
  }

  /** A purchase record written straight to the state table, as a crashed workflow would leave it. */
  async function seedPurchase(
    requestId: string,
    status: 'FAILED' | 'RESERVED',
    extra: { amountUsd?: number } = {},
  ): Promise<{ purchaseId: string; request: PurchaseRequest }> {
    const request = parsePurchaseRequest(cocalcRequest({ requestId }));
    const purchaseId = purchaseIdFor(requestId);
    await new DynamoPurchaseStore(e2e.doc, e2e.stateTable).create({
      purchaseId,
      requestId,
      vendor: 'cocalc',
      status,
      requestHash: 'seeded',
      createdAt: DAY_AGO,
      updatedAt: DAY_AGO,
      ...extra,
    });
    await e2e.audit.append(purchaseId, {
      type: 'REQUEST_RECEIVED',
      status: 'RECEIVED',
      actor: `requester:${request.requester.email}`,
      detail: { requestId, vendor: 'cocalc', requester: request.requester, reason: request.reason, item: request.item, source: 'api' },
    });
    return { purchaseId, request };
  }

  it("deletes a tagged item whose purchase is over, never touches the owner's item, audits it, and finds nothing to do the second time", async () => {
    const { purchaseId, request } = await seedPurchase('reconcile-orphan', 'FAILED');
    if (request.vendor !== 'cocalc') throw new Error('a CoCalc request');
    const account = cocalcAccountOf(e2e);
    const gateway = cocalcGatewayFor(String(e2e.rt.sandboxes.cocalc?.url), account.apiKey);
    // Straight into the vendor's cart, as a crashed add leaves it: checked, tagged for the purchase.
    const orphan = await gateway.addToCart(tagDescription(request.item.description, purchaseId));
    const owners = await gateway.addToCart({ ...request.item.description, description: "the owner's own license" });
    expect(account.cart.find((i) => i.id === orphan)?.checked).toBe(true);

    const report = await runReconciler();
    expect(report.actions).toContainEqual({ kind: 'delete-orphan-item', purchaseId, outcome: 'deleted' });

    expect(account.cart.map((i) => i.id)).not.toContain(orphan);
    expect(account.cart.find((i) => i.id === owners)).toMatchObject({ checked: true, purchased: null, removed: null });
    const entries = (await auditTrail(e2e, purchaseId)).filter((e) => e.type === 'RECONCILED');
    expect(entries).toEqual([
      expect.objectContaining({
        actor: 'reconciler',
        status: 'FAILED',
        detail: expect.objectContaining({
          action: 'delete-orphan-item',
          saw: expect.objectContaining({ itemId: orphan, purchaseStatus: 'FAILED', checked: true }),
          did: { cartItem: 'deleted' },
        }),
      }),
    ]);
    expect(entries[0]!.message).toMatch(new RegExp(`orphan CoCalc cart item ${orphan}`));

    const again = await runReconciler();
    expect(again.actions.filter((a) => a.purchaseId === purchaseId)).toEqual([]);
    expect((await auditTrail(e2e, purchaseId)).filter((e) => e.type === 'RECONCILED')).toHaveLength(1);
    expect(account.cart.find((i) => i.id === owners)).toBeDefined();
  });

  it('closes a purchase left RESERVED with no execution through RecordNotCompleted, releasing its budget', async () => {
    const { purchaseId, request } = await seedPurchase('reconcile-stale', 'RESERVED', { amountUsd: 12.5 });
    const guard = new DynamoSpendGuard(e2e.doc, e2e.stateTable, { capsUsd: { cocalc: 500, interserver: 200 }, dailyLimit: 100 });
    await guard.reserve({ purchaseId, vendor: 'cocalc', amountUsd: 12.5, at: new Date() });
    expect((await budgetCounter(e2e, 'cocalc')).holders[purchaseId]).toBe(1250);
    expect(e2e.rt.executions.describe(purchaseId)).toBeUndefined();

    const report = await runReconciler();
    expect(report.actions).toContainEqual({ kind: 'close-purchase', purchaseId, outcome: 'FAILED' });

    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/no execution/) });
    expect((await budgetCounter(e2e, 'cocalc')).holders).not.toHaveProperty(purchaseId);
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    const trail = await auditTrail(e2e, purchaseId);
    expect(trail.find((e) => e.type === 'NOT_COMPLETED')).toMatchObject({ status: 'FAILED', detail: expect.objectContaining({ budgetReleased: true }) });
    expect(trail.filter((e) => e.type === 'RECONCILED')).toEqual([
      expect.objectContaining({
        actor: 'reconciler',
        status: 'FAILED',
        detail: expect.objectContaining({ action: 'close-purchase', saw: expect.objectContaining({ status: 'RESERVED', execution: 'MISSING' }) }),
      }),
    ]);
    const failed = workflowEvents(e2e.rt, purchaseId).filter((e) => e['detail-type'] === EVENTS.failed);
    expect(failed).toEqual([expect.objectContaining({ detail: expect.objectContaining({ status: 'FAILED', requester: request.requester.email }) })]);

    // Closed once: the next run leaves it alone.
    const again = await runReconciler();
    expect(again.actions.filter((a) => a.purchaseId === purchaseId)).toEqual([]);
  });
});

describe('the reconciler timer', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  it('runs Reconcile by itself at the (shortened) schedule period, and not at start', async () => {
    const e2e = await startProcure({ schedulePeriodMs: 300 });
    try {
      const ran = (line: string) => /^schedule: Reconciler\w+ ran Reconcile\w+: /.test(line);
      expect(e2e.logs.filter(ran)).toEqual([]);
      await waitFor('two scheduled reconciler runs', () => (e2e.logs.filter(ran).length >= 2 ? true : undefined), 30_000);
      const report = JSON.parse(e2e.logs.find(ran)!.replace(/^[^{]*/, '')) as ReconcileReport;
      expect(report).toMatchObject({ actions: [], deferred: 0, errors: [] });
    } finally {
      await e2e.close();
    }
  });
});
