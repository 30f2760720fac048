import { keepRechecking, lockRecheckDelayMs, MAX_SLOT_WAIT_MS, decideSlot, waitTimestamp, wakeAt } from './cart-slot';
import { addAnswered, ADD_STARTED, cartIdsBeforeEarlierAdd, claimAgainAt, decideAddEntry, givesUpWaiting, meaningOfAddError } from './add-to-cart-rules';
import { findNewCartItem } from './cart-item-match';
import { tagDescription } from './cart-tag';
import { InvalidRequestError, LockBusyError } from '../../../core/errors';
import { CartSlotUnavailableError } from './errors';
import { lockLeaseMs, type InvocationClock } from '../../../core/locks';
import { CART_ADD_LOCK_MODE, COCALC_ACCOUNT_LOCK } from './account-lock';
import type { LockManager, RateSlots } from '../../../core/ports';
import type { CocalcGateway } from './ports';
import { parsePurchaseRequest } from '../../../core/purchase-request';
import { recordStep, type PurchaseJournal } from '../../../core/purchase-journal';
import { COCALC_CART_ADD_SLOT_KEY } from './add-limits';
import type { CartRef, WorkflowState } from '../../../core/workflow';

/** What AddToCart needs. */
export interface AddToCartDeps extends PurchaseJournal {
  locks: LockManager;
  /** `shopping/cart/add` slots shared by every Lambda through DynamoDB (rate-slots.ts). */
  slots: RateSlots;
  cocalc: () => Promise<CocalcGateway>;
  /** @default Date.now */
  clock?: () => number;
}

/** What a purchase waiting for an add slot is shown to wait for. */
const ADD_LIMITS = 'a CoCalc cart/add slot (the vendor allows 3 adds a second, 15 a minute, 200 an hour)';

/**
 * AddToCart (CoCalc): puts the site license, tagged with its purchase (cart-tag.ts), in the
 * account's cart and parks it UNCHECKED at once, because CoCalc's checkout buys every checked item.
 *
 * Nothing here waits. The vendor allows 3 adds a second, 15 a minute, 200 an hour per account, so
 * each add first reserves a slot shared through DynamoDB, and right before sending claims it: the
 * claim checks the adds actually sent (rate-slots.ts). A slot in the future, a refused claim, a
 * busy account lock or a vendor "too many requests" answer comes back as `{ waitUntil }` (or
 * LockBusyError) and the state machine waits before running this again.
 *
 * Idempotent per purchase: a recorded cart item is returned (parked first if it was not yet). The
 * vendor's add answers no id and may fail with an unknown outcome, so before adding, the cart ids
 * are written to the audit trail; a retry first looks for a new matching item against that
 * snapshot and adopts it instead of adding a second one. The item id is recorded before parking,
 * so a failed park is undone by the compensation (and the reconciler finds the tag). The decisions
 * are in add-to-cart-rules.ts and cart-slot.ts.
 */
export async function addToCart(deps: AddToCartDeps, state: WorkflowState, context?: InvocationClock): Promise<CartRef> {
  const now = deps.clock ?? Date.now;
  const request = parsePurchaseRequest(state.request);
  if (request.vendor !== 'cocalc') throw new InvalidRequestError(`AddToCart is for CoCalc purchases, not ${request.vendor}`);
  const { purchaseId } = state;
  const record = await deps.purchases.get(purchaseId);
  const gateway = await deps.cocalc();
  const run = new AddRun(deps, gateway, purchaseId, tagDescription(request.item.description, purchaseId), request.item.projectId, now);
  const waits = state.cart?.waitUntil !== undefined ? state.cart.waits : 0;

  const entry = decideAddEntry(record);
  if (entry.kind === 'park-recorded') {
    await run.locked(context, () => run.park(entry.itemId));
    await run.recordParked(entry.itemId, false);
  }
  if (entry.kind !== 'add') return { itemId: entry.itemId };
  const slot = await run.slot(waits);
  if (slot) return slot;
  return run.addWhenAccountFree(context, waits);
}

/** One invocation's add of one purchase's item. */
class AddRun {
  /** The slot this run is sending in, once `slot()` found it due. */
  private slotAt: number | undefined;
  /** When CoCalc answered this run's add (the add reached it no later). */
  private answeredAt: number | undefined;

  constructor(
    private readonly deps: AddToCartDeps,
    private readonly gateway: CocalcGateway,
    private readonly purchaseId: string,
    private readonly description: ReturnType<typeof tagDescription>,
    private readonly projectId: string | undefined,
    private readonly now: () => number,
  ) {}

  /** Under the account lock; a busy lock is recorded as a wait and thrown for the machine's Retry. */
  async locked<T>(context: InvocationClock | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.deps.locks.withLock(COCALC_ACCOUNT_LOCK, this.purchaseId, lockLeaseMs(context), fn, CART_ADD_LOCK_MODE);
    } catch (err) {
      if (err instanceof LockBusyError) await this.waiting('the CoCalc account (another purchase is using its cart)');
      throw err;
    }
  }

  /**
   * The add under the account lock, in the slot `slot()` found due. A busy lock keeps the slot:
   * the run comes back at the next whole second (a Wait in the state machine) for up to
   * LOCK_RECHECK_WINDOW_MS after the slot; past that it gives the slot back and leaves the waiting
   * to the machine's LockBusyError Retry, which reserves a new slot on its next run (PreparePurchase's
   * first add turns it into a Wait of about a second instead: ./first-add.ts).
   */
  async addWhenAccountFree(context: InvocationClock | undefined, waits: number): Promise<CartRef> {
    // Outside the lock, which only binds what other purchases may do between our add and its
    // parking: finding an earlier attempt's item, the cart snapshot, telling the ledger when
    // CoCalc answered and recording the parked item touch only our records and our tagged items.
    const earlier = await this.earlierAdd();
    const beforeIds = earlier.itemId === undefined ? (earlier.beforeIds ?? (await this.snapshot())) : [];
    try {
      const added = await this.deps.locks.withLock(
        COCALC_ACCOUNT_LOCK,
        this.purchaseId,
        lockLeaseMs(context),
        () => this.addAndPark(waits, earlier.itemId, beforeIds),
        CART_ADD_LOCK_MODE,
      );
      if (!('reconciled' in added)) return added; // a wait
      await this.recordParked(added.itemId, added.reconciled);
      return { itemId: added.itemId };
    } catch (err) {
      if (!(err instanceof LockBusyError)) throw err;
      const back = this.now() + lockRecheckDelayMs(this.sinceSlotMs());
      // Judged by when the Wait really ends: the whole second at or after `back`.
      if (keepRechecking(this.slotAt ?? 0, wakeAt(back))) {
        return this.waitUntil(back, waits, 'the CoCalc account (another purchase is using its cart); its add slot is kept');
      }
      await this.deps.slots.release(COCALC_CART_ADD_SLOT_KEY, this.purchaseId);
      await this.waiting('the CoCalc account (another purchase is using its cart)');
      throw err;
    } finally {
      if (this.answeredAt !== undefined) await this.settle(this.answeredAt);
    }
  }

  /** Our slot if it is due now; otherwise when to come back. Reserves one when we hold none. */
  async slot(waits: number): Promise<CartRef | undefined> {
    const { at } = await this.deps.slots.reserve(COCALC_CART_ADD_SLOT_KEY, this.purchaseId, this.now());
    const decision = decideSlot(at, this.now());
    if (decision.kind === 'wait') return this.waitUntil(at, waits, ADD_LIMITS);
    this.slotAt = at;
    return undefined;
  }

  /** Under the account lock: claim, add and park, or adopt `adopted`; the item and whether it was found rather than added. */
  async addAndPark(waits: number, adopted: number | undefined, beforeIds: readonly number[]): Promise<CartRef | { itemId: number; reconciled: boolean }> {
    let itemId = adopted;
    let reconciled = itemId !== undefined;
    if (itemId === undefined) {
      // From a granted claim on, the add counts at the vendor's windows, sent or not; the claim
      // comes right before the send, whose arrival it bounds.
      const claim = await this.deps.slots.claim(COCALC_CART_ADD_SLOT_KEY, this.purchaseId, this.now());
      if (!claim.sent) {
        return this.waitUntil(claimAgainAt(claim, this.now(), this.sinceSlotMs()), waits, ADD_LIMITS);
      }
      const sent = await this.gateway.addToCart(this.description, this.projectId).then(
        (id) => ({ id }),
        (err: unknown) => ({ err }),
      );
      // An answer, even a refusal, means the add reached CoCalc by now; a request given up on
      // may still arrive later, so it stays counted as in flight (rate-slots.ts decideClaim).
      if (!('err' in sent) || addAnswered(sent.err)) this.answeredAt = this.now();
      if ('id' in sent) itemId = sent.id;
      else {
        const { err } = sent;
        const meaning = meaningOfAddError(err, this.now());
        if (meaning.kind === 'rate-limited') return this.waitUntil(meaning.at, waits, 'the CoCalc add limit (the vendor said: too many requests)');
        if (meaning.kind === 'refused') throw err;
        itemId = await this.findOurs(beforeIds);
        if (itemId === undefined) throw err; // provably not added: a retry adds it (with a new slot)
        reconciled = true;
      }
    } else {
      await this.deps.slots.release(COCALC_CART_ADD_SLOT_KEY, this.purchaseId); // nothing sent this time
    }
    await this.deps.purchases.update(this.purchaseId, { cartItemId: itemId, waiting: null });
    await this.park(itemId);
    return { itemId, reconciled };
  }

  /**
   * Tells the ledger CoCalc answered the add at `at`: it arrived no later, which lets the next adds
   * claim sooner. Best effort: unsettled, the add counts as in flight up to the ledger's bound
   * after its claim, which only delays the next claims.
   */
  private async settle(at: number): Promise<void> {
    await this.deps.slots.settle(COCALC_CART_ADD_SLOT_KEY, this.purchaseId, at).catch(() => undefined);
  }

  /**
   * The cart's item ids before our first add, written to the audit trail (CART_ADD_STARTED) so a
   * retry can tell our item from those already there. Once per purchase: items that appear later
   * carry other purchases' tags or none, so they never match ours.
   */
  private async snapshot(): Promise<number[]> {
    const beforeIds = (await this.gateway.getCart()).map((i) => i.id);
    await this.deps.audit.append(this.purchaseId, {
      type: ADD_STARTED,
      status: 'RESERVED',
      actor: 'system',
      message: 'Adding the site license to the CoCalc cart',
      detail: { cartIdsBefore: beforeIds },
    });
    return beforeIds;
  }

  /** Parks the item unchecked: our checkout checks it only after approval. */
  async park(itemId: number): Promise<void> {
    await this.gateway.setChecked(false, itemId);
  }

  /** Records the parked item on the purchase and in its audit trail. */
  async recordParked(itemId: number, reconciled: boolean): Promise<void> {
    await recordStep(
      this.deps,
      this.purchaseId,
      {
        type: 'CART_ITEM_ADDED',
        status: 'IN_CART',
        message: `Cart item ${itemId} added and parked unchecked until approval${reconciled ? ' (found after an unknown outcome)' : ''}`,
        detail: { cartItemId: itemId, projectId: this.projectId ?? null, reconciled },
      },
      { cartItemId: itemId, cartItemParked: true, waiting: null },
    );
  }

  /**
   * What an earlier attempt of this purchase left: its cart snapshot and, when its add took effect
   * but was not recorded, the item.
   */
  private async earlierAdd(): Promise<{ beforeIds?: number[]; itemId?: number }> {
    const beforeIds = cartIdsBeforeEarlierAdd(await this.deps.audit.list(this.purchaseId));
    if (!beforeIds) return {};
    return { beforeIds, itemId: await this.findOurs(beforeIds) };
  }

  private async findOurs(beforeIds: Iterable<number>): Promise<number | undefined> {
    const sent = JSON.parse(JSON.stringify(this.description)) as Record<string, unknown>;
    return findNewCartItem(new Set(beforeIds), await this.gateway.getCart(), 'site-license', sent)?.id;
  }

  /** Time since the add's slot (0 before it has one). */
  private sinceSlotMs(): number {
    return this.now() - (this.slotAt ?? this.now());
  }

  private async waitUntil(at: number, waits: number, what: string): Promise<CartRef> {
    if (givesUpWaiting(at, this.now(), waits)) {
      await this.deps.slots.release(COCALC_CART_ADD_SLOT_KEY, this.purchaseId);
      throw new CartSlotUnavailableError(
        `CoCalc's add limit has no slot for this purchase within ${MAX_SLOT_WAIT_MS / 60_000} minutes (${waits} waits); nothing was added`,
      );
    }
    const until = waitTimestamp(at);
    await this.waiting(what, until);
    return { waitUntil: until, waits: waits + 1 };
  }

  private async waiting(what: string, until?: string): Promise<void> {
    await this.deps.purchases.update(this.purchaseId, {
      waiting: { for: what, since: new Date(this.now()).toISOString(), ...(until ? { until } : {}) },
    });
  }
}
