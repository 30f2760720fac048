import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { COCALC_SANDBOX_DEFAULTS, startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { RATE_SLOT_DEFAULTS } from '../../lambdas/adapters/aws/dynamo-rate-slots';
import { LOCK_RECHECK_MS, LOCK_RECHECK_WINDOW_MS, MAX_SLOT_WAITS } from '../../lambdas/vendors/cocalc/core/cart-slot';
import { purchaseIdOfItem, tagDescription } from '../../lambdas/vendors/cocalc/core/cart-tag';
import type { SiteLicenseDescription } from '../../lambdas/vendors/cocalc/core/license';
import { InvalidRequestError, LockBusyError, VendorTransientError } from '../../lambdas/core/errors';
import { CartSlotUnavailableError } from '../../lambdas/vendors/cocalc/core/errors';
import { COCALC_ACCOUNT_LOCK } from '../../lambdas/vendors/cocalc/core/account-lock';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';
import { earliestSlot } from '../../lambdas/core/rate-slots';
import { COCALC_CART_ADD_LIMITS, COCALC_CART_ADD_SLOT_KEY } from '../../lambdas/vendors/cocalc/core/add-limits';
import type { CartRef, WorkflowState } from '../../lambdas/core/workflow';
import { makeHandler, type AddToCartDeps } from '../../lambdas/vendors/cocalc/handlers/add-to-cart';
import { cocalcRequest, interserverRequest } from '../support/requests';
import { cocalcGatewayFor, cocalcItemOf, cocalcStepDeps, newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

function descriptionOf(state: WorkflowState): SiteLicenseDescription {
  if (state.request.vendor !== 'cocalc') throw new Error('not a CoCalc request');
  return state.request.item.description;
}

/** What procure sends for the purchase: the approved description with its tag line. */
const tagged = (state: WorkflowState) => tagDescription(descriptionOf(state), state.purchaseId);

/** The vendor's answer to an add over its limit, as the CoCalc sandbox's throttle words it (cocalc-gateway.test.ts). */
const tooManyRequests = (seconds: number) => `too many requests to shopping/cart/add; try again in ${seconds} seconds (rule: at most 15 requests per minute)`;

const PROJECT = '7f0f5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const DAY_MS = 86_400_000;

describe('AddToCart (CoCalc)', () => {
  /** Slot ledger as loose as the sandbox's throttle (off): no add waits. */
  let h: StepHarness;
  /** Slot ledger with the vendor's limits (3/s, 15/min, 200/h), driven by a fake clock. */
  let hs: StepHarness;
  let sandbox: CocalcSandbox;
  let gateway: CocalcGateway;
  const key = COCALC_SANDBOX_DEFAULTS.apiKey;
  const cart = () => sandbox.account(key).cart;

  beforeAll(async () => {
    h = await startStepHarness();
    hs = await startStepHarness(undefined, { cartAddLimits: COCALC_CART_ADD_LIMITS });
    sandbox = await startCocalcSandbox({ throttle: false });
    gateway = cocalcGatewayFor(sandbox.url, key);
  });
  afterAll(async () => {
    await sandbox.close();
    await hs.close();
    await h.close();
  });
  beforeEach(() => {
    cart().length = 0;
    sandbox.faults.reset();
  });

  const handler = (over: Partial<AddToCartDeps> = {}) => makeHandler({ ...cocalcStepDeps(h, gateway), ...over });

  it('adds the item tagged with its purchase, parks it unchecked, and records it on the purchase', async () => {
    const state = await newPurchase(h, cocalcRequest({ item: { ...(cocalcRequest().item as object), projectId: PROJECT } }));
    const ref = await handler()(state);

    const items = cart();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: cocalcItemOf(ref), checked: false, purchased: null, project_id: PROJECT, product: 'site-license' });
    expect(items[0]!.description).toEqual(JSON.parse(JSON.stringify(tagged(state))));
    expect((items[0]!.description as { description: string }).description).toBe(`procure purchase ${state.purchaseId}`);
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ cartItemId: ref.itemId, cartItemParked: true, status: 'IN_CART', waiting: null });
    expect((await h.audit.list(state.purchaseId)).map((e) => e.type)).toEqual(['CART_ADD_STARTED', 'CART_ITEM_ADDED']);
  });

  it("keeps the requester's own description text above the tag line", async () => {
    const base = cocalcRequest();
    const description = { ...(base.item as { description: object }).description, description: 'For the CS101 lab' };
    const state = await newPurchase(h, { ...base, item: { description } });
    const ref = await handler()(state);

    const stored = cart().find((i) => i.id === ref.itemId)!;
    expect((stored.description as { description: string }).description).toBe(`For the CS101 lab\nprocure purchase ${state.purchaseId}`);
    expect(purchaseIdOfItem({ description: stored.description as Record<string, unknown> })).toBe(state.purchaseId);
  });

  it('returns the recorded item when run again, without adding a second one', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const first = await handler()(state);
    const second = await handler()(state);
    expect(second).toEqual(first);
    expect(cart()).toHaveLength(1);
  });

  it('adopts an item whose add took effect although the connection dropped, instead of adding it twice', async () => {
    const state = await newPurchase(h, cocalcRequest());
    sandbox.faults.set({ applyThenDropNext: 1, operations: ['shopping/cart/add'] });
    const ref = await handler()(state);
    expect(cart()).toHaveLength(1);
    expect(cart()[0]).toMatchObject({ id: ref.itemId, checked: false });
    const added = (await h.audit.list(state.purchaseId)).find((e) => e.type === 'CART_ITEM_ADDED');
    expect(added?.detail).toMatchObject({ reconciled: true });
  });

  it('adopts the item an earlier attempt added but did not record (a retried Lambda)', async () => {
    const state = await newPurchase(h, cocalcRequest());
    // The earlier attempt wrote its snapshot, added, and died before parking or recording.
    await h.audit.append(state.purchaseId, { type: 'CART_ADD_STARTED', status: 'RESERVED', detail: { cartIdsBefore: [] } });
    const orphan = await gateway.addToCart(tagged(state));

    const ref = await handler()(state);
    expect(ref.itemId).toBe(orphan);
    expect(cart()).toHaveLength(1);
    expect(cart()[0]?.checked).toBe(false);
  });

  it('keeps an item the account owner already had, even one with our exact tagged description, and adds our own', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const owners = await gateway.addToCart(descriptionOf(state));
    // A copy of our own description (the owner's "buy it again" of an earlier license would look like this).
    const copy = await gateway.addToCart(tagged(state));
    const ref = await handler()(state);

    expect(ref.itemId).not.toBe(owners);
    expect(ref.itemId).not.toBe(copy);
    const byId = new Map(cart().map((i) => [i.id, i]));
    expect(byId.get(owners)?.checked).toBe(true);
    expect(byId.get(copy)?.checked).toBe(true);
    expect(byId.get(cocalcItemOf(ref))?.checked).toBe(false);
    expect(cart()).toHaveLength(3);
  });

  it('refuses an InterServer request without calling CoCalc', async () => {
    const state = await newPurchase(h, interserverRequest());
    await expect(handler()(state)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(cart()).toHaveLength(0);
  });

  it('comes back at the next whole second, keeping its slot, while another purchase holds the account; adds nothing meanwhile', async () => {
    const state = await newPurchase(h, cocalcRequest());
    // A long lease: a handler that waited for the lock inside the Lambda would hang here.
    let ref: CartRef | undefined;
    await h.locks.withLock(COCALC_ACCOUNT_LOCK, 'pur-someone-else', 10 * 60_000, async () => {
      const started = Date.now();
      ref = await handler()(state);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
    expect(ref).toMatchObject({ waits: 1 });
    // Step Functions waits in whole seconds (waitTimestamp): 50-100 ms on, rounded up.
    const until = (ref as { waitUntil: string }).waitUntil;
    expect(until).toMatch(/:\d\d\.000Z$/);
    const back = Date.parse(until) - Date.now();
    expect(back).toBeGreaterThan(-5_000);
    expect(back).toBeLessThanOrEqual(1_000 + LOCK_RECHECK_MS.min + LOCK_RECHECK_MS.jitter);
    expect(cart()).toHaveLength(0);
    const record = await h.purchases.get(state.purchaseId);
    expect(record?.waiting).toMatchObject({ for: expect.stringMatching(/CoCalc account.*slot is kept/) });
    expect(record?.cartItemId).toBeUndefined();

    // The state machine's Wait runs it again once the account is free.
    const added = await handler()({ ...state, cart: ref });
    expect(cart()).toHaveLength(1);
    expect(cart()[0]).toMatchObject({ id: cocalcItemOf(added), checked: false });
    expect((await h.purchases.get(state.purchaseId))?.waiting).toBeNull();
    // One cart snapshot for the purchase, taken outside the lock and reused by the second run.
    expect((await h.audit.list(state.purchaseId)).filter((e) => e.type === 'CART_ADD_STARTED')).toHaveLength(1);
  });

  it('records the item before parking it, so a failed park leaves it for compensation, and a re-run parks it without adding again', async () => {
    const state = await newPurchase(h, cocalcRequest());
    sandbox.faults.set({ failNext: 1, operations: ['shopping/cart/checked'] });

    await expect(handler()(state)).rejects.toBeInstanceOf(VendorTransientError);
    // The vendor holds our item, still checked (a checkout would buy it): procure knows its id and the tag names us.
    expect(cart()).toHaveLength(1);
    const added = cart()[0]!;
    expect(added).toMatchObject({ checked: true, purchased: null });
    expect(purchaseIdOfItem({ description: added.description as Record<string, unknown> })).toBe(state.purchaseId);
    const record = await h.purchases.get(state.purchaseId);
    expect(record?.cartItemId).toBe(added.id);
    expect(record?.cartItemParked).toBeFalsy();

    const ref = await handler()(state);
    expect(ref).toEqual({ itemId: added.id });
    expect(cart()).toHaveLength(1);
    expect(cart()[0]).toMatchObject({ id: added.id, checked: false });
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ cartItemParked: true, status: 'IN_CART' });
    expect((await h.audit.list(state.purchaseId)).filter((e) => e.type === 'CART_ADD_STARTED')).toHaveLength(1);
  });

  describe('rate slots (the vendor limits 3 adds a second, 15 a minute, 200 an hour)', () => {
    /** Each test's clock starts on a day of its own, so the shared ledger's earlier slots never count. */
    let day = 0;
    let now: number;
    beforeEach(() => {
      day += 1;
      now = Date.UTC(2030, 0, 1) + day * DAY_MS;
    });
    const slotted = (over: Partial<AddToCartDeps> = {}) => makeHandler({ ...cocalcStepDeps(hs, gateway), clock: () => now, ...over });

    async function ledger(): Promise<{ at: number; holder: string }[]> {
      const { Item } = await hs.doc.send(
        new GetCommand({ TableName: hs.db.stateTable, Key: { pk: `SLOTS#${COCALC_CART_ADD_SLOT_KEY}`, sk: 'SLOTS' }, ConsistentRead: true }),
      );
      return (Item?.slots as { at: number; holder: string; sentAt?: number; settledAt?: number }[] | undefined) ?? [];
    }
    const slotsOf = async (purchaseId: string) => (await ledger()).filter((s) => s.holder.endsWith(purchaseId));

    /** Three adds already booked for this second: the next slot is a little over a second away. */
    async function bookThisSecond(): Promise<number> {
      for (let i = 0; i < 3; i++) await hs.slots.reserve(COCALC_CART_ADD_SLOT_KEY, `pur-other-${day}-${i}`, now);
      return earliestSlot([now, now, now], now, COCALC_CART_ADD_LIMITS, RATE_SLOT_DEFAULTS.marginMs);
    }

    it('returns when to come back for a slot in the future, adds nothing, and records the wait; at the slot it adds', async () => {
      const next = await bookThisSecond();
      expect(next).toBeGreaterThan(now);
      const state = await newPurchase(hs, cocalcRequest());

      const ref = await slotted()(state);
      // The next whole second at or after the slot: a Wait on AWS would end early otherwise.
      const until = new Date(Math.ceil(next / 1_000) * 1_000).toISOString();
      expect(ref).toEqual({ waitUntil: until, waits: 1 });
      expect(cart()).toHaveLength(0);
      expect((await hs.purchases.get(state.purchaseId))?.waiting).toEqual({
        for: expect.stringMatching(/cart\/add slot/),
        since: new Date(now).toISOString(),
        until,
      });
      expect((await hs.audit.list(state.purchaseId)).map((e) => e.type)).not.toContain('CART_ADD_STARTED');
      expect(await slotsOf(state.purchaseId)).toEqual([{ at: next, holder: state.purchaseId }]);

      // The state machine's Wait ends then and runs AddToCart again with $.cart.
      now = Date.parse(until);
      const added = await slotted()({ ...state, cart: ref });
      expect(cart()).toHaveLength(1);
      expect(cart()[0]).toMatchObject({ id: cocalcItemOf(added), checked: false });
      expect((await hs.purchases.get(state.purchaseId))?.waiting).toBeNull();
      // Claimed and answered when it woke: it counts from then on, and the next adds know when it arrived.
      expect(await slotsOf(state.purchaseId)).toEqual([{ at: next, holder: `used:${state.purchaseId}`, sentAt: now, settledAt: now }]);
    });

    it('sends an add however late it wakes after its slot, when the adds sent allow it: lateness wastes no slot', async () => {
      const state = await newPurchase(hs, cocalcRequest());
      const { at } = await hs.slots.reserve(COCALC_CART_ADD_SLOT_KEY, state.purchaseId, now);
      now = at + 60_000;

      await slotted()(state);
      expect(cart()).toHaveLength(1);
      expect(await slotsOf(state.purchaseId)).toEqual([{ at, holder: `used:${state.purchaseId}`, sentAt: now, settledAt: now }]);
    });

    it('sends nothing and comes back when its claim finds the windows full (others sent adds since it reserved)', async () => {
      const state = await newPurchase(hs, cocalcRequest());
      await hs.slots.reserve(COCALC_CART_ADD_SLOT_KEY, state.purchaseId, now);
      // Three others claim this second first, and their adds are still in flight.
      const others = [0, 1, 2].map((i) => `pur-other-${day}-${i}`);
      for (const o of others) expect(await hs.slots.claim(COCALC_CART_ADD_SLOT_KEY, o, now)).toEqual({ sent: true });

      const ref = await slotted()(state);
      // Their answers may come any moment: back 50-100 ms on (LOCK_RECHECK_MS), at the next whole
      // second, rather than at the bound (20 s after their claims).
      const back = Date.parse(ref.waitUntil!) - now;
      expect(ref.waitUntil).toMatch(/:\d\d\.000Z$/);
      expect(back).toBeGreaterThanOrEqual(LOCK_RECHECK_MS.min);
      expect(back).toBeLessThanOrEqual(1_000 + LOCK_RECHECK_MS.min + LOCK_RECHECK_MS.jitter);
      expect(cart()).toHaveLength(0);
      // Its slot is still pending: nothing was claimed for it.
      expect(await slotsOf(state.purchaseId)).toEqual([expect.objectContaining({ holder: state.purchaseId })]);

      // Answered 10 ms after their claims: one past 1,010 ms later the vendor accepts a fourth add.
      for (const o of others) await hs.slots.settle(COCALC_CART_ADD_SLOT_KEY, o, now + 10);
      now += back;
      const exact = await slotted()({ ...state, cart: ref });
      expect(exact.waitUntil).toBe(new Date(Math.ceil((now - back + 1_011) / 1_000) * 1_000).toISOString());
      now = Date.parse(exact.waitUntil!);
      await slotted()({ ...state, cart: exact });
      expect(cart()).toHaveLength(1);
    });

    it('leaves an add the client gave up on counted as in flight: CoCalc may still act on it later', async () => {
      const state = await newPurchase(hs, cocalcRequest());
      sandbox.faults.set({ failNext: 1, operations: ['shopping/cart/add'] });
      await expect(slotted()(state)).rejects.toBeInstanceOf(VendorTransientError);
      const [mine] = await slotsOf(state.purchaseId);
      expect(mine).toMatchObject({ holder: `used:${state.purchaseId}`, sentAt: now });
      expect(mine).not.toHaveProperty('settledAt');
    });

    it('gives its slot back and throws LockBusyError when the account stays busy past the recheck window', async () => {
      const state = await newPurchase(hs, cocalcRequest());
      const { at } = await hs.slots.reserve(COCALC_CART_ADD_SLOT_KEY, state.purchaseId, now);
      now = at + LOCK_RECHECK_WINDOW_MS - 50; // due, but a recheck (a quarter of the time since the slot, at most 1 s) would be past the window
      await hs.locks.withLock(COCALC_ACCOUNT_LOCK, 'pur-someone-else', 10 * 60_000, async () => {
        await expect(slotted()(state)).rejects.toBeInstanceOf(LockBusyError);
      });
      expect(cart()).toHaveLength(0);
      expect(await slotsOf(state.purchaseId)).toEqual([]);
      expect((await hs.purchases.get(state.purchaseId))?.waiting).toMatchObject({ for: expect.stringMatching(/CoCalc account/) });

      // The machine's Retry runs it again: a new slot, then the add.
      now += 2_000;
      await slotted()(state);
      expect(cart()).toHaveLength(1);
    });

    it('turns a vendor "too many requests" answer into a wait of the seconds it names; nothing was added', async () => {
      const state = await newPurchase(hs, cocalcRequest());
      sandbox.faults.set({ forcedError: tooManyRequests(42), operations: ['shopping/cart/add'] });

      const ref = await slotted()(state);
      expect(ref).toEqual({ waitUntil: new Date(now + 42_000).toISOString(), waits: 1 });
      expect(cart()).toHaveLength(0);
      expect((await hs.purchases.get(state.purchaseId))?.waiting).toMatchObject({
        for: expect.stringMatching(/too many requests/),
        until: new Date(now + 42_000).toISOString(),
      });
      // The refused add still counts at the vendor, so its claim stays in the ledger.
      expect(await slotsOf(state.purchaseId)).toEqual([{ at: now, holder: `used:${state.purchaseId}`, sentAt: now, settledAt: now }]);

      now += 42_000;
      const added = await slotted()({ ...state, cart: ref });
      expect(cart()).toHaveLength(1);
      expect(cart()[0]).toMatchObject({ id: cocalcItemOf(added), checked: false });
    });

    it('refuses with CartSlotUnavailableError when the vendor names a wait beyond the longest one allowed', async () => {
      const state = await newPurchase(hs, cocalcRequest());
      sandbox.faults.set({ forcedError: tooManyRequests(3_601), operations: ['shopping/cart/add'] });
      await expect(slotted()(state)).rejects.toBeInstanceOf(CartSlotUnavailableError);
      expect(cart()).toHaveLength(0);
    });

    it('gives up after MAX_SLOT_WAITS waits with CartSlotUnavailableError, releasing its slot and adding nothing', async () => {
      await bookThisSecond();
      const state = await newPurchase(hs, cocalcRequest());
      const after = (waits: number): WorkflowState => ({ ...state, cart: { waitUntil: new Date(now).toISOString(), waits } });

      expect(await slotted()(after(MAX_SLOT_WAITS - 1))).toMatchObject({ waits: MAX_SLOT_WAITS });
      expect(await slotsOf(state.purchaseId)).toHaveLength(1);

      const err = await slotted()(after(MAX_SLOT_WAITS)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CartSlotUnavailableError);
      expect((err as Error).message).toMatch(/nothing was added/);
      expect(await slotsOf(state.purchaseId)).toEqual([]);
      expect(cart()).toHaveLength(0);
    });
  });
});
