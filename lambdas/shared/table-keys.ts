/**
 * Key schema of procure's two DynamoDB tables, shared by the CDK construct and the adapters.
 *
 * State table (approvals, budget counters, locks, idempotency, purchase status): pk/sk strings.
 *   REQ#<requestId>          / REQ           idempotency record -> purchaseId
 *   PURCHASE#<purchaseId>    / META          current status, vendor, quote, references
 *   APPROVAL#<approvalId>    / APPROVAL      task token, purchaseId, approver, expiresAt, status
 *   BUDGET#<vendor>#<YYYY-MM>/ BUDGET        reservedUsd (reserved + committed) against the cap
 *   DAILY#<YYYY-MM-DD>       / DAILY         purchase count against the daily limit
 *   RESERVATION#<purchaseId> / RESERVATION   amount, month, day, status RESERVED|COMMITTED|RELEASED
 *   LOCK#<name>              / LOCK          holder, expiresAt
 *
 * Audit table (append-only): purchaseId / seq (ISO time + counter, time-ordered); GSI byStatus
 * (status, at) lists records by status and time.
 */
export const STATE_TABLE = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'ttl' } as const;
export const AUDIT_TABLE = {
  partitionKey: 'purchaseId',
  sortKey: 'seq',
  statusIndex: 'byStatus',
  statusIndexPartitionKey: 'status',
  statusIndexSortKey: 'at',
} as const;
