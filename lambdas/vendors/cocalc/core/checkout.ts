import { cocalcItemId } from './cart-item-id';
import { heldItemOf } from '../../../core/held-item';
import type { CheckoutDeps } from './checkout-deps';
import { tagDescription } from './cart-tag';
import { checkoutResult } from './checkout-rules';
import { CheckoutRun } from './checkout-run';
import { LockBusyError } from '../../../core/errors';
import { lockLeaseMs, type InvocationClock } from '../../../core/locks';
import { COCALC_ACCOUNT_LOCK } from './account-lock';
import { parsePurchaseRequest } from '../../../core/purchase-request';
import type { PurchaseResult, WorkflowState } from '../../../core/workflow';

/**
 * Checkout (CoCalc). CoCalc's checkout buys EVERY checked item in the cart, so under the account
 * lock it:
 * - compares the vendor-side item field by field with what was approved (description with its
 *   procure tag, project) and refuses on any difference (CartItemChangedError: nothing bought);
 * - unchecks everything, checks only our item, and requires the vendor's own checkout parameters
 *   to cover exactly our item at the approved amount, so a checkout never runs while other items
 *   are checked;
 * - re-checks the items it unchecked only once its outcome is known.
 *
 * An unknown outcome (VendorTransientError, or a step that died mid-checkout) is never retried
 * blindly and never waited out inside the Lambda: it is recorded and thrown as
 * CheckoutOutcomeUnknownError, the state machine waits, and the next run first settles it. Our
 * item purchased -> bought. Otherwise `checked {checked:false, id}` answering 1 proves it was not
 * bought and that the late checkout can no longer buy it (CoCalc's setCheck updates only
 * unpurchased, unremoved items), and only then is a new attempt made. The items unchecked for an
 * attempt whose outcome was unknown stay unchecked (a late checkout would buy them): the audit
 * trail lists them for their owner. The decisions are in checkout-rules.ts; one invocation's
 * run under the lock is CheckoutRun (checkout-run.ts).
 */
export async function checkOut(deps: CheckoutDeps, state: WorkflowState, context?: InvocationClock): Promise<PurchaseResult> {
  const { purchaseId, quote } = state;
  if (quote?.vendor !== 'cocalc') throw new Error('Checkout needs a CoCalc $.quote');
  // Defence in depth: the machine routes only approved purchases here.
  if (state.approval?.decision !== 'APPROVED') throw new Error(`Checkout of ${purchaseId} without an approval`);
  // ...and never trusts it: the approval record (or the auto-approve policy) must prove it.
  await deps.verifyApproval(state);
  const request = parsePurchaseRequest(state.request);
  if (request.vendor !== 'cocalc') throw new Error('Checkout needs a CoCalc request');

  const record = await deps.purchases.get(purchaseId);
  const held = heldItemOf(state, record);
  if (held === undefined) throw new Error(`Checkout of ${purchaseId} has no cart item`);
  const itemId = cocalcItemId(held);
  if (record?.licenseId) return checkoutResult(quote, itemId, record.licenseId, false);

  const gateway = await deps.cocalc();
  const approved = { description: tagDescription(request.item.description, purchaseId), projectId: request.item.projectId };
  const run = new CheckoutRun(deps, gateway, purchaseId, quote, itemId, approved, record?.checkout);
  try {
    return await deps.locks.withLock(COCALC_ACCOUNT_LOCK, purchaseId, lockLeaseMs(context), () => run.run());
  } catch (err) {
    if (err instanceof LockBusyError) {
      await deps.purchases.update(purchaseId, {
        waiting: { for: 'the CoCalc account (another purchase is using its cart)', since: new Date().toISOString() },
      });
    }
    throw err;
  }
}
