import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoLockManager } from '../adapters/aws/dynamo-lock-manager';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import type { AuditLog, LockManager, PurchaseStore } from '../core/ports';
import { documentClient } from './aws-clients';
import { tablesConfig } from './config';

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
    // Another purchase of the same account holds the lock for one vendor call; wait that long.
    locks: new DynamoLockManager(doc, tables.stateTable, { waitMs: 10_000, pollMs: 250 }),
  };
}
