import { InvalidRequestError, VendorTransientError } from '../core/errors';
import { COCALC_ACCOUNT_LOCK, PURCHASE_LOCK_TTL_MS } from '../core/locks';
import type { AuditLog, CocalcGateway, LockManager, PurchaseStore } from '../core/ports';
import { parsePurchaseRequest } from '../core/purchase-request';
import { recordStep } from '../core/purchase-journal';
import type { CartRef, WorkflowState } from '../core/workflow';
import { findNewCartItem } from '../adapters/cocalc/cart-item-match';
import { lazyHandler } from '../shared/lazy-handler';
import { vendorGateways } from '../shared/vendor-gateways';
import { vendorStepDeps } from '../shared/vendor-step-deps';

/** What AddToCart needs. */
export interface AddToCartDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  locks: LockManager;
  cocalc: () => Promise<CocalcGateway>;
}

/** Audit type written just before the add, with the cart ids it started from. */
const ADD_STARTED = 'CART_ADD_STARTED';

/**
 * AddToCart (CoCalc): puts the site license in the account's cart and parks it UNCHECKED at once,
 * because CoCalc's checkout buys every checked item and nobody's checkout (ours for another
 * purchase, or the account owner's own) may buy this one before it is approved.
 *
 * Idempotent per purchase: a recorded cart item is returned as it is. The vendor's add answers no
 * id and may fail with an unknown outcome, so before adding, the cart ids are written to the audit
 * trail; a retry (or an add that failed in transit) first looks for a new matching item against
 * that snapshot and adopts it instead of adding a second one.
 */
export function makeHandler(deps: AddToCartDeps): (state: WorkflowState) => Promise<CartRef> {
  return async (state) => {
    const request = parsePurchaseRequest(state.request);
    if (request.vendor !== 'cocalc') throw new InvalidRequestError(`AddToCart is for CoCalc purchases, not ${request.vendor}`);
    const { purchaseId } = state;
    const recorded = (await deps.purchases.get(purchaseId))?.cartItemId;
    if (recorded !== undefined) return { itemId: recorded };

    const gateway = await deps.cocalc();
    const sent = JSON.parse(JSON.stringify(request.item.description)) as Record<string, unknown>;
    const findOurs = async (beforeIds: Iterable<number>) =>
      findNewCartItem(new Set(beforeIds), await gateway.getCart(), 'site-license', sent)?.id;

    return deps.locks.withLock(COCALC_ACCOUNT_LOCK, purchaseId, PURCHASE_LOCK_TTL_MS, async () => {
      let itemId = await adoptEarlierAdd(deps.audit, purchaseId, findOurs);
      let reconciled = itemId !== undefined;
      if (itemId === undefined) {
        const beforeIds = (await gateway.getCart()).map((i) => i.id);
        await deps.audit.append(purchaseId, {
          type: ADD_STARTED,
          status: 'RESERVED',
          actor: 'system',
          message: 'Adding the site license to the CoCalc cart',
          detail: { cartIdsBefore: beforeIds },
        });
        try {
          itemId = await gateway.addToCart(request.item.description, request.item.projectId);
        } catch (err) {
          if (!(err instanceof VendorTransientError)) throw err;
          itemId = await findOurs(beforeIds);
          if (itemId === undefined) throw err; // provably not added: a retry adds it
          reconciled = true;
        }
      }
      await gateway.setChecked(false, itemId);
      await recordStep(
        deps,
        purchaseId,
        {
          type: 'CART_ITEM_ADDED',
          status: 'IN_CART',
          message: `Cart item ${itemId} added and parked unchecked until approval${reconciled ? ' (found after an unknown outcome)' : ''}`,
          detail: { cartItemId: itemId, projectId: request.item.projectId ?? null, reconciled },
        },
        { cartItemId: itemId },
      );
      return { itemId };
    });
  };
}

/** The item an earlier attempt of this purchase added but did not record, if there is one. */
async function adoptEarlierAdd(
  audit: AuditLog,
  purchaseId: string,
  findOurs: (beforeIds: Iterable<number>) => Promise<number | undefined>,
): Promise<number | undefined> {
  const started = (await audit.list(purchaseId)).filter((e) => e.type === ADD_STARTED).at(-1);
  const before = started?.detail?.cartIdsBefore;
  if (!Array.isArray(before)) return undefined;
  return findOurs(before.filter((id): id is number => typeof id === 'number'));
}

/** Production wiring, once per cold start. */
export function defaultDeps(): AddToCartDeps {
  return {
    ...vendorStepDeps(),
    cocalc: () => vendorGateways().cocalc(),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
