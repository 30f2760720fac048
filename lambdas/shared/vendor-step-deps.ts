import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoLockManager } from '../adapters/aws/dynamo-lock-manager';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { DynamoRateSlots } from '../adapters/aws/dynamo-rate-slots';
import { LOCK_RECHECK_WINDOW_MS } from '../core/cart-slot';
import type { AuditLog, LockManager, PurchaseStore, RateSlots } from '../core/ports';
import { documentClient } from './aws-clients/dynamodb';
import { cocalcCartAddLimits, tablesConfig } from './config';

/**
 * What every vendor-calling step (AddToCart, Checkout, BuyLicense) is wired with in production:
 * the audit trail, the purchase records and the vendor-account locks, all on the state/audit tables.
 */
export function vendorStepDeps(): { audit: AuditLog; purchases: PurchaseStore; locks: LockManager } {
  const tables = tablesConfig();
  const doc = documentClient();
  return {
    audit: new DynamoAuditLog(doc, tables.auditTable),
    purchases: new DynamoPurchaseStore(doc, tables.stateTable),
    // A busy lock throws LockBusyError at once: the state machine waits and retries, never a Lambda.
    locks: new DynamoLockManager(doc, tables.stateTable),
  };
}

/** CoCalc `shopping/cart/add` slots on the state table, shared by every AddToCart invocation. */
export function cartAddSlots(): { slots: RateSlots } {
  // The defaults otherwise (RATE_SLOT_DEFAULTS). A pending slot stops holding a place once its
  // holder would have stopped rechecking a busy account lock for it.
  const options = { limits: cocalcCartAddLimits(), stalePendingMs: LOCK_RECHECK_WINDOW_MS };
  return { slots: new DynamoRateSlots(documentClient(), tablesConfig().stateTable, options) };
}
