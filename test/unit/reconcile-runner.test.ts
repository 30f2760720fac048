import type { HeldItemId } from '../../lambdas/core/held-item';
import { cocalcItemId } from '../../lambdas/vendors/cocalc/core/cart-item-id';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { DynamoReservationLedger } from '../../lambdas/adapters/aws/dynamo-reservation-ledger';
import { tagDescription } from '../../lambdas/vendors/cocalc/core/cart-tag';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';
import { RECONCILE_LIMITS } from '../../lambdas/core/reconcile';
import type { ReconcileDeps } from '../../lambdas/core/reconcile-deps';
import type { VendorLeftovers } from '../../lambdas/core/vendor-leftovers';
import { reconcile } from '../../lambdas/core/reconcile-runner';
import { EVENTS, type PurchaseStatus, type WorkflowState } from '../../lambdas/core/workflow';
import { makeHandler as makeRecordOutcome } from '../../lambdas/handlers/record-outcome';
import { FakeMailer } from '../support/fake-ports';
import { cocalcRequest } from '../support/requests';
import { cocalcGatewayFor, leftoversWith, newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

/**
 * The reconciler's runner over the real state adapters (dynalite), the CoCalc sandbox and
 * RecordNotCompleted's own code: what it reads, what it changes at the vendor and in procure's
 * records, and what it writes to the audit trail. Step Functions is the one fake (execution status).
 */
describe('a reconciler run', () => {
  let sandbox: CocalcSandbox;
  let h: StepHarness;
  let gateway: CocalcGateway;
  let apiKey: string;
  let executions: Map<string, string>;
  let events: Array<{ type: string; detail: Record<string, unknown> }>;

  beforeAll(async () => {
    sandbox = await startCocalcSandbox({ throttle: false });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    h = await startStepHarness();
    ({ apiKey } = sandbox.addAccount({ balance: 1000 }));
    gateway = cocalcGatewayFor(sandbox.url, apiKey);
    executions = new Map();
    events = [];
  });
  afterEach(async () => {
    sandbox.faults.reset();
    await h.close();
  });

  const vendorCart = () => sandbox.account(apiKey).cart;
  const publisher = { publish: async (type: string, detail: Record<string, unknown>) => void events.push({ type, detail }) };
  const recordOutcome = () =>
    makeRecordOutcome({
      audit: h.audit,
      purchases: h.purchases,
      notices: h.notices,
      spendGuard: h.spendGuard,
      events: publisher,
      leftovers: leftoversWith(gateway),
      mailer: new FakeMailer(),
      mail: { approvers: ['boss@example.com'], sender: 'procure@example.com', apiUrl: 'https://procure.example.com' },
    });

  function deps(over: Partial<ReconcileDeps> = {}): ReconcileDeps {
    const close = recordOutcome();
    return {
      audit: h.audit,
      purchases: h.purchases,
      spendGuard: h.spendGuard,
      reservations: new DynamoReservationLedger(h.doc, h.db.stateTable),
      executions: { statusOf: async (purchaseId) => executions.get(purchaseId) ?? 'MISSING' },
      leftovers: leftoversWith(gateway),
      events: publisher,
      closePurchase: (state) => close({ outcome: 'NOT_COMPLETED', state }),
      ...over,
    };
  }

  /** A CoCalc purchase that got as far as the cart: record, RECEIVED entry, reservation, tagged item. */
  async function inCart(status: PurchaseStatus = 'IN_CART'): Promise<{ state: WorkflowState; itemId: number }> {
    const state = await newPurchase(h, cocalcRequest(), {}, status);
    if (state.request.vendor !== 'cocalc') throw new Error('a CoCalc request');
    await h.audit.append(state.purchaseId, {
      type: 'REQUEST_RECEIVED',
      status: 'RECEIVED',
      detail: { requestId: state.request.requestId, requester: state.request.requester, item: state.request.item, source: 'api' },
    });
    const reservation = await h.spendGuard.reserve({ purchaseId: state.purchaseId, vendor: 'cocalc', amountUsd: 9, at: new Date() });
    const itemId = await gateway.addToCart(tagDescription(state.request.item.description, state.purchaseId));
    await h.purchases.update(state.purchaseId, { cartItemId: itemId, amountUsd: 9 });
    return { state: { ...state, reservation, cart: { itemId }, quote: { vendor: 'cocalc', amountUsd: 9, summary: 'CoCalc', autoApprove: false } }, itemId };
  }

  /** Backdates a record past the grace period (as if it had sat there for a day). */
  async function age(purchaseId: string): Promise<void> {
    await h.purchases.update(purchaseId, { updatedAt: new Date(Date.now() - 24 * 3_600_000).toISOString() });
  }

  const reconciled = async (purchaseId: string) => (await h.audit.list(purchaseId)).filter((e) => e.type === 'RECONCILED');
  const held = async (purchaseId: string) =>
    (await new DynamoReservationLedger(h.doc, h.db.stateTable).counted('cocalc', new Date().toISOString().slice(0, 7))).find(
      (r) => r.purchaseId === purchaseId,
    );

  /** RecordNotCompleted while the vendor cannot delete: NEEDS_ATTENTION with the cleanup pending. */
  async function endedWithCleanupPending(
    failure = { Error: 'VendorRejectedError', Cause: 'the vendor said no' },
    status: PurchaseStatus = 'IN_CART',
  ): Promise<{ state: WorkflowState; itemId: number }> {
    const purchase = await inCart(status);
    sandbox.faults.set({ failNext: 20, operations: ['shopping/cart/delete'] });
    const ended = await recordOutcome()({ outcome: 'NOT_COMPLETED', state: { ...purchase.state, failure } });
    sandbox.faults.reset();
    expect(ended.status).toBe('NEEDS_ATTENTION');
    expect(await h.purchases.get(purchase.state.purchaseId)).toMatchObject({ cleanupPending: ['delete-cart-item', 'release-reservation'] });
    return purchase;
  }

  it('finishes a cleanup RecordNotCompleted could not: deletes the item at the vendor, releases the budget, ends the purchase as it was meant to', async () => {
    const { state, itemId } = await endedWithCleanupPending();
    events.length = 0;

    const report = await reconcile(deps());

    expect(report.actions).toEqual([{ kind: 'finish-cleanup', purchaseId: state.purchaseId, outcome: 'cleaned-up' }]);
    expect(vendorCart().map((i) => i.id)).not.toContain(itemId);
    expect(await held(state.purchaseId)).toBeUndefined();
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({
      status: 'FAILED',
      cleanupPending: [],
      reason: expect.stringMatching(/cleanup finished by the reconciler/),
    });
    expect(await reconciled(state.purchaseId)).toEqual([
      expect.objectContaining({
        actor: 'reconciler',
        status: 'FAILED',
        detail: expect.objectContaining({ action: 'finish-cleanup', did: { cartItem: 'deleted', budgetReleased: true, status: 'FAILED' } }),
      }),
    ]);
    expect(events).toEqual([{ type: EVENTS.failed, detail: expect.objectContaining({ purchaseId: state.purchaseId, status: 'FAILED' }) }]);

    expect((await reconcile(deps())).actions).toEqual([]);
    expect(await reconciled(state.purchaseId)).toHaveLength(1);
  });

  it('ends a cleaned-up purchase EXPIRED when that is what RecordNotCompleted meant', async () => {
    const { state } = await endedWithCleanupPending({ Error: 'States.Timeout', Cause: 'approval timed out' }, 'AWAITING_APPROVAL');
    const closing = (await h.audit.list(state.purchaseId)).find((e) => e.type === 'NOT_COMPLETED');
    expect(closing?.detail).toMatchObject({ statusAfterCleanup: 'EXPIRED' });
    await reconcile(deps());
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'EXPIRED', cleanupPending: [] });
    expect(events.at(-1)).toEqual({ type: EVENTS.failed, detail: expect.objectContaining({ status: 'EXPIRED' }) });
  });

  it('leaves a purchase whose pending cart item turns out bought NEEDS_ATTENTION with its budget kept, and says so once', async () => {
    const { state, itemId } = await endedWithCleanupPending();
    // The vendor bought it meanwhile (a late checkout).
    await gateway.setChecked(false);
    await gateway.setChecked(true, itemId);
    await gateway.checkout();
    expect(vendorCart().find((i) => i.id === itemId)?.purchased).toBeTruthy();

    const report = await reconcile(deps());

    expect(report.actions).toEqual([{ kind: 'finish-cleanup', purchaseId: state.purchaseId, outcome: 'found-bought' }]);
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({
      status: 'NEEDS_ATTENTION',
      cleanupPending: [],
      reason: expect.stringMatching(new RegExp(`cart item ${itemId} BOUGHT`)),
    });
    expect(await held(state.purchaseId)).toMatchObject({ status: 'RESERVED' });
    const [entry] = await reconciled(state.purchaseId);
    expect(entry).toMatchObject({
      actor: 'reconciler',
      status: 'NEEDS_ATTENTION',
      detail: expect.objectContaining({ did: { cartItem: 'found-bought', budgetReleased: false } }),
    });
    expect(entry!.message).toMatch(/^ATTENTION/);
    expect((await reconcile(deps())).actions).toEqual([]);
  });

  it('releases a reservation still counted for a FAILED purchase, and one for a purchase procure has no record of', async () => {
    const { state } = await inCart();
    await h.purchases.update(state.purchaseId, { status: 'FAILED' });
    await gateway.deleteFromCart(cocalcItemId(state.cart!.itemId!));
    executions.set(state.purchaseId, 'FAILED');
    const ghost = 'pur-0000000000000000000000000000ghost';
    await h.spendGuard.reserve({ purchaseId: ghost, vendor: 'cocalc', amountUsd: 3, at: new Date(Date.now() - 10 * 60_000) });

    const report = await reconcile(deps({ clock: () => new Date(Date.now() + RECONCILE_LIMITS.graceMs) }));

    expect(report.actions.sort((a, b) => a.purchaseId.localeCompare(b.purchaseId))).toEqual(
      [
        { kind: 'release-reservation', purchaseId: state.purchaseId, outcome: 'released' },
        { kind: 'release-reservation', purchaseId: ghost, outcome: 'released' },
      ].sort((a, b) => a.purchaseId.localeCompare(b.purchaseId)),
    );
    expect(await held(state.purchaseId)).toBeUndefined();
    expect(await held(ghost)).toBeUndefined();
    expect(await reconciled(ghost)).toEqual([
      expect.objectContaining({
        actor: 'reconciler',
        detail: expect.objectContaining({ action: 'release-reservation', saw: expect.objectContaining({ purchaseStatus: 'MISSING' }) }),
      }),
    ]);
  });

  it('closes an open purchase whose execution is gone, and leaves one whose execution is running, item and budget included', async () => {
    const stale = await inCart();
    const live = await inCart('AWAITING_APPROVAL');
    await age(stale.state.purchaseId);
    await age(live.state.purchaseId);
    executions.set(stale.state.purchaseId, 'FAILED');
    executions.set(live.state.purchaseId, 'RUNNING');

    const report = await reconcile(deps());

    expect(report.actions).toEqual([{ kind: 'close-purchase', purchaseId: stale.state.purchaseId, outcome: 'FAILED' }]);
    expect(vendorCart().map((i) => i.id)).toEqual(expect.arrayContaining([live.itemId]));
    expect(vendorCart().map((i) => i.id)).not.toContain(stale.itemId);
    expect(await held(stale.state.purchaseId)).toBeUndefined();
    expect(await held(live.state.purchaseId)).toMatchObject({ status: 'RESERVED' });
    expect(await h.purchases.get(live.state.purchaseId)).toMatchObject({ status: 'AWAITING_APPROVAL' });
  });

  it('closes an INTERRUPTED purchase that had reached the vendor purchase step as NEEDS_ATTENTION, keeping its budget', async () => {
    const { state } = await inCart();
    await h.audit.append(state.purchaseId, { type: 'VENDOR_CALL', status: 'PURCHASING' });
    await h.purchases.update(state.purchaseId, { status: 'INTERRUPTED' });
    await age(state.purchaseId);
    executions.set(state.purchaseId, 'ABORTED');

    const report = await reconcile(deps());

    expect(report.actions).toEqual([{ kind: 'close-purchase', purchaseId: state.purchaseId, outcome: 'NEEDS_ATTENTION' }]);
    expect(await held(state.purchaseId)).toMatchObject({ status: 'RESERVED' });
  });

  it('never touches an untagged item, and decides nothing on the cart when the vendor cannot be read', async () => {
    const owners = await gateway.addToCart({
      type: 'quota',
      user: 'academic',
      period: 'monthly',
      run_limit: 1,
      ram: 1,
      cpu: 1,
      disk: 1,
      member: true,
      uptime: 'short',
    } as never);
    const ghost = 'pur-00000000000000000000000000000001';
    const orphan = await gateway.addToCart(
      tagDescription(
        { type: 'quota', user: 'academic', period: 'monthly', run_limit: 1, ram: 1, cpu: 1, disk: 1, member: true, uptime: 'short' } as never,
        ghost,
      ),
    );

    sandbox.faults.set({ failNext: 20, operations: ['shopping/cart/get'] });
    const down = await reconcile(deps());
    sandbox.faults.reset();
    expect(down.saw.vendorItems).toBeNull();
    expect(down.actions).toEqual([]);
    expect(down.errors).toEqual([expect.stringMatching(/CoCalc items not read/)]);

    const up = await reconcile(deps());
    expect(up.actions).toEqual([{ kind: 'delete-orphan-item', purchaseId: ghost, outcome: 'deleted' }]);
    expect(vendorCart().map((i) => i.id)).toEqual([owners]);
    expect(orphan).not.toBe(owners);
  });

  it("takes back another vendor's orphan through that vendor's own leftovers, even while CoCalc's cart cannot be read", async () => {
    // A stand-in for a future vendor whose preparation leaves a hold (no registered vendor but
    // CoCalc leaves anything, so this one is in memory): what the generic reconciler does with it.
    // Its hold ids are strings, as such a vendor may name them (core/held-item.ts).
    const holds = new Map<HeldItemId, string>([['hold-5', 'pur-00000000000000000000000000000005']]);
    const taken: HeldItemId[] = [];
    const other: VendorLeftovers<'interserver'> = {
      vendor: 'interserver',
      noun: 'hold',
      list: async () =>
        [...holds].map(([id, purchaseId]) => ({ vendor: 'interserver', id, purchaseId, added: '2026-01-01T00:00:00Z', checked: false, setAside: false })),
      takeBack: async (id) => {
        taken.push(id);
        return holds.delete(id) ? { outcome: 'deleted' } : { outcome: 'gone' };
      },
    };
    sandbox.faults.set({ failNext: 20, operations: ['shopping/cart/get'] });

    const report = await reconcile(deps({ leftovers: { ...leftoversWith(gateway), interserver: other } }));

    expect(report.saw.vendorItems).toBeNull();
    expect(report.errors).toEqual([expect.stringMatching(/^CoCalc items not read/)]);
    expect(report.actions).toEqual([{ kind: 'delete-orphan-item', purchaseId: 'pur-00000000000000000000000000000005', outcome: 'deleted' }]);
    expect(taken).toEqual(['hold-5']);
    const [entry] = await reconciled('pur-00000000000000000000000000000005');
    expect(entry!.message).toMatch(/^Deleted orphan InterServer hold hold-5 \(unchecked\): it is tagged for a purchase procure has no record of/);
  });

  it("leaves a vendor's items alone when its listing names another vendor's item: that vendor counts as not read", async () => {
    const ghost = 'pur-00000000000000000000000000000006';
    const mislabelled: VendorLeftovers<'interserver'> = {
      vendor: 'interserver',
      noun: 'hold',
      list: async () => [{ vendor: 'cocalc', id: 6, purchaseId: ghost, added: '2026-01-01T00:00:00Z', checked: true, setAside: false }],
      takeBack: async () => {
        throw new Error('not to be called');
      },
    };
    const orphan = await gateway.addToCart(
      tagDescription(
        { type: 'quota', user: 'academic', period: 'monthly', run_limit: 1, ram: 1, cpu: 1, disk: 1, member: true, uptime: 'short' } as never,
        ghost,
      ),
    );

    const report = await reconcile(deps({ leftovers: { ...leftoversWith(gateway), interserver: mislabelled } }));

    expect(report.saw.vendorItems).toBeNull();
    expect(report.errors).toEqual([expect.stringMatching(/^InterServer items not read .*its listing names item 6 as cocalc's/)]);
    // CoCalc's own orphan, read through CoCalc's own listing, is still taken back.
    expect(report.actions).toEqual([{ kind: 'delete-orphan-item', purchaseId: ghost, outcome: 'deleted' }]);
    expect(vendorCart().map((i) => i.id)).not.toContain(orphan);
  });

  it('notes once a tagged item bought for a purchase that never completed with it (seen in a stale cart listing)', async () => {
    const { state, itemId } = await inCart();
    await h.purchases.update(state.purchaseId, { status: 'COMPLETED', licenseId: 'another-license' });
    const listing = await gateway.getCart();
    await gateway.setChecked(false);
    await gateway.setChecked(true, itemId);
    await gateway.checkout();
    const stale: CocalcGateway = {
      ...gateway,
      getCart: async () => listing,
      getPurchasedItems: () => gateway.getPurchasedItems(),
      deleteFromCart: (id) => gateway.deleteFromCart(id),
      getCartItem: (id) => gateway.getCartItem(id),
    };

    const first = await reconcile(deps({ leftovers: leftoversWith(stale) }));
    const second = await reconcile(deps({ leftovers: leftoversWith(stale) }));

    // The stale listing still shows it unbought; the vendor's purchased list has the newer word.
    expect(first.actions).toEqual([{ kind: 'note-bought-item', purchaseId: state.purchaseId, outcome: 'noted' }]);
    expect(second.actions).toEqual([]); // already in the audit trail: nothing done, nothing reported
    const entries = await reconciled(state.purchaseId);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.message).toMatch(/^ATTENTION: CoCalc cart item \d+, tagged for this purchase, was BOUGHT/);
    expect((entries[0]!.detail as { saw: Record<string, unknown> }).saw).toMatchObject({
      itemId,
      purchaseStatus: 'COMPLETED',
      purchaseLicenseId: 'another-license',
    });
  });

  it('stops at its action limit and near its deadline, leaving the rest for the next run', async () => {
    const ids: string[] = [];
    for (let i = 0; i < RECONCILE_LIMITS.maxActions + 2; i += 1) {
      const id = `pur-${String(i).padStart(32, 'a')}`;
      await h.spendGuard.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 1, at: new Date() });
      ids.push(id);
    }
    const later = () => new Date(Date.now() + RECONCILE_LIMITS.graceMs);

    const late = await reconcile(deps({ clock: later, remainingMs: () => 5_000 }));
    expect(late.actions).toEqual([]);
    expect(late.deferred).toBe(ids.length);

    const first = await reconcile(deps({ clock: later }));
    expect(first.actions).toHaveLength(RECONCILE_LIMITS.maxActions);
    expect(first.deferred).toBe(2);
    const second = await reconcile(deps({ clock: later }));
    expect(second.actions).toHaveLength(2);
    expect(second.deferred).toBe(0);
  });
});
