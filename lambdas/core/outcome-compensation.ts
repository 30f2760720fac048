import type { HeldItemId } from './held-item';
import type { CleanupStep } from './cleanup-steps';
import { CLEANUP_STEPS } from './cleanup-steps';
import type { CartCleanup, StepResult } from './outcome-rules';
import type { AuditLog } from './ports';
import { type LeftoversByVendor, leftoversOf } from './vendor-leftovers';
import { vendorLabel } from './vendor-names';
import type { PurchaseStatus, WorkflowState } from './workflow';

/**
 * RecordOutcome's compensation steps (core/record-outcome.ts): each one run, audited, and its
 * failure returned rather than thrown, so a purchase always ends and the step is left pending.
 * Kept apart from the end's bookkeeping so what touches the vendor reads on its own.
 */

/** What a compensation step needs: the audit trail, and each vendor's leftovers for the item its preparation left. */
export interface CompensationDeps {
  audit: AuditLog;
  leftovers: LeftoversByVendor;
}

/**
 * Takes back the item the vendor's preparation left (CoCalc: our cart item) unless it was bought.
 * The vendor takes back only unbought items, so take back first and look only when nothing was
 * taken back: no window in which we look, then delete (core/vendor-leftovers.ts).
 */
export async function compensateCart(
  deps: CompensationDeps,
  state: WorkflowState,
  itemId: HeldItemId | undefined,
  status: PurchaseStatus,
): Promise<StepResult<CartCleanup>> {
  const vendor = state.request.vendor;
  if (itemId === undefined) return { ok: true, outcome: 'none' };
  return compensate(
    deps,
    state.purchaseId,
    status,
    CLEANUP_STEPS.deleteCartItem,
    async () => {
      // Miswired leftovers (another vendor's), or none for a vendor that did leave an item, throw
      // here: the step is audited and left pending, and the purchase still ends.
      const leftovers = leftoversOf(deps.leftovers, vendor);
      if (!leftovers) throw new Error(`${vendorLabel(vendor)} item ${itemId} is recorded, but no leftovers of ${vendor} are wired to take it back`);
      const fate = await leftovers.takeBack(itemId);
      return fate.outcome === 'bought' ? 'purchased' : fate.outcome;
    },
    { cartItemId: itemId },
  );
}

/**
 * Runs one compensation step and audits its outcome. A failure is audited (COMPENSATION_FAILED)
 * and returned, not thrown: the caller turns it into NEEDS_ATTENTION with the step pending.
 */
export async function compensate<T extends string>(
  deps: CompensationDeps,
  purchaseId: string,
  status: PurchaseStatus,
  step: CleanupStep,
  run: () => Promise<T>,
  detail: Record<string, unknown> = {},
): Promise<StepResult<T>> {
  let outcome: T;
  try {
    outcome = await run();
  } catch (err) {
    const error = `${(err as Error).name}: ${(err as Error).message}`;
    await deps.audit.append(purchaseId, {
      type: 'COMPENSATION_FAILED',
      status,
      actor: 'system',
      message: `Compensation ${step} failed (left to the reconciler): ${(err as Error).message}`,
      detail: { step, error: (err as Error).name, ...detail },
    });
    return { ok: false, error };
  }
  await deps.audit.append(purchaseId, {
    type: 'COMPENSATED',
    status,
    actor: 'system',
    message: `Compensation ${step}: ${outcome}`,
    detail: { step, outcome, ...detail },
  });
  return { ok: true, outcome };
}
