import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COCALC_SANDBOX_DEFAULTS, startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import type { SiteLicenseDescription } from '../../lambdas/core/cocalc-license';
import { InvalidRequestError } from '../../lambdas/core/errors';
import type { CocalcGateway } from '../../lambdas/core/ports';
import type { WorkflowState } from '../../lambdas/core/workflow';
import { makeHandler } from '../../lambdas/handlers/cocalc-add-to-cart';
import { cocalcRequest, interserverRequest } from '../support/requests';
import { cocalcGatewayFor, newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

function descriptionOf(state: WorkflowState): SiteLicenseDescription {
  if (state.request.vendor !== 'cocalc') throw new Error('not a CoCalc request');
  return state.request.item.description;
}

describe('AddToCart (CoCalc)', () => {
  let h: StepHarness;
  let sandbox: CocalcSandbox;
  let gateway: CocalcGateway;
  const key = COCALC_SANDBOX_DEFAULTS.apiKey;

  beforeAll(async () => {
    h = await startStepHarness();
    sandbox = await startCocalcSandbox({ throttle: false });
    gateway = cocalcGatewayFor(sandbox.url, key);
  });
  afterAll(async () => {
    await sandbox.close();
    await h.close();
  });
  beforeEach(() => {
    sandbox.account(key).cart.length = 0;
    sandbox.faults.reset();
  });

  const handler = () => makeHandler({ audit: h.audit, purchases: h.purchases, locks: h.locks, cocalc: async () => gateway });

  it('adds the item, parks it unchecked, and records it on the purchase', async () => {
    const item = { ...(cocalcRequest().item as object), projectId: '7f0f5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' };
    const state = await newPurchase(h, cocalcRequest({ item }));
    const cart = await handler()(state);

    const items = sandbox.account(key).cart;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: cart.itemId, checked: false, purchased: null, project_id: '7f0f5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' });
    expect((await h.purchases.get(state.purchaseId))).toMatchObject({ cartItemId: cart.itemId, status: 'IN_CART' });
    expect((await h.audit.list(state.purchaseId)).map((e) => e.type)).toEqual(['CART_ADD_STARTED', 'CART_ITEM_ADDED']);
  });

  it('returns the recorded item when run again, without adding a second one', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const first = await handler()(state);
    const second = await handler()(state);
    expect(second).toEqual(first);
    expect(sandbox.account(key).cart).toHaveLength(1);
  });

  it('adopts an item whose add took effect although the connection dropped, instead of adding it twice', async () => {
    const state = await newPurchase(h, cocalcRequest());
    sandbox.faults.set({ applyThenDropNext: 1, operations: ['shopping/cart/add'] });
    const cart = await handler()(state);
    const items = sandbox.account(key).cart;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: cart.itemId, checked: false });
    const added = (await h.audit.list(state.purchaseId)).find((e) => e.type === 'CART_ITEM_ADDED');
    expect(added?.detail).toMatchObject({ reconciled: true });
  });

  it('adopts the item an earlier attempt added but did not record (a retried Lambda)', async () => {
    const state = await newPurchase(h, cocalcRequest());
    // The earlier attempt wrote its snapshot, added, and died before parking or recording.
    await h.audit.append(state.purchaseId, { type: 'CART_ADD_STARTED', status: 'RESERVED', detail: { cartIdsBefore: [] } });
    const orphan = await gateway.addToCart(descriptionOf(state));

    const cart = await handler()(state);
    expect(cart.itemId).toBe(orphan);
    expect(sandbox.account(key).cart).toHaveLength(1);
    expect(sandbox.account(key).cart[0]?.checked).toBe(false);
  });

  it('keeps an identical item the account owner already had, and adds our own', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const owners = await gateway.addToCart(descriptionOf(state));
    const cart = await handler()(state);
    expect(cart.itemId).not.toBe(owners);
    const byId = new Map(sandbox.account(key).cart.map((i) => [i.id, i]));
    expect(byId.get(owners)?.checked).toBe(true);
    expect(byId.get(cart.itemId)?.checked).toBe(false);
  });

  it('refuses an InterServer request without calling CoCalc', async () => {
    const state = await newPurchase(h, interserverRequest());
    await expect(handler()(state)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(sandbox.account(key).cart).toHaveLength(0);
  });
});
