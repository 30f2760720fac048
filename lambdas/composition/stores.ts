import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoLockManager } from '../adapters/aws/dynamo-lock-manager';
import { DynamoNoticeLedger } from '../adapters/aws/dynamo-notice-ledger';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { DynamoReservationLedger } from '../adapters/aws/dynamo-reservation-ledger';
import { DynamoSpendGuard } from '../adapters/aws/dynamo-spend-guard';
import { DynamoStepJournal } from '../adapters/aws/dynamo-step-journal';
import type { AuditLog, LockManager, NoticeLedger, PurchaseIndex, PurchaseStore, SpendGuard } from '../core/ports';
import type { StepJournal } from '../core/purchase-journal';
import type { ReservationLedger } from '../core/reconcile-deps';
import { documentClient } from '../shared/aws-clients/dynamodb';
import { budgetConfig, tablesConfig } from '../shared/config';

/**
 * Composition root (README.md): the adapters on procure's two DynamoDB tables. Every builder
 * reads its configuration when called (a handler calls them in `defaultDeps()`, once per cold
 * start) and shares the process's one document client.
 */

/** The audit trail (audit table). */
export function auditLog(): AuditLog {
  return new DynamoAuditLog(documentClient(), tablesConfig().auditTable);
}

/** The purchase records (state table), with their newest-first index. */
export function purchaseStore(): DynamoPurchaseStore {
  return new DynamoPurchaseStore(documentClient(), tablesConfig().stateTable);
}

/** The vendor-account locks (state table). A busy lock throws LockBusyError at once: the state machine waits and retries, never a Lambda. */
export function lockManager(): LockManager {
  return new DynamoLockManager(documentClient(), tablesConfig().stateTable);
}

/** The monthly budget and daily purchase limit (state table), with the caps from the environment. */
export function spendGuard(): SpendGuard {
  return new DynamoSpendGuard(documentClient(), tablesConfig().stateTable, budgetConfig());
}

/** Requester notices already sent (state table). */
export function noticeLedger(): NoticeLedger {
  return new DynamoNoticeLedger(documentClient(), tablesConfig().stateTable);
}

/** The budget counters' reservations, read-only (state table). */
export function reservationLedger(): ReservationLedger {
  return new DynamoReservationLedger(documentClient(), tablesConfig().stateTable);
}

/** The journal every step writes: the audit trail and the purchase records, and both at once (one transaction per step). */
export function purchaseJournal(): { audit: AuditLog; purchases: PurchaseStore & PurchaseIndex; steps: StepJournal } {
  const { auditTable, stateTable } = tablesConfig();
  const [purchases, audit] = [purchaseStore(), auditLog()];
  return { audit, purchases, steps: new DynamoStepJournal(documentClient(), stateTable, auditTable, purchases, audit) };
}

/** What every vendor-calling step (AddToCart, Checkout, BuyLicense) is wired with: the journal and the vendor-account locks. */
export function vendorStepStores(): { audit: AuditLog; purchases: PurchaseStore; steps: StepJournal; locks: LockManager } {
  return { ...purchaseJournal(), locks: lockManager() };
}
