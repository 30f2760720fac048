/**
 * Key schema of procure's two DynamoDB tables, shared by the CDK construct and the adapters.
 *
 * State table (approvals, budget counters, locks, idempotency, purchase status): pk/sk strings.
 *   REQ#<requestId>            / REQ           idempotency record -> purchaseId, request hash
 *   PURCHASE#<purchaseId>      / META          current status, vendor, quote, references
 *   PURCHASE#<purchaseId>      / DECISION#<n>  which approval decided approval round n (first claim wins)
 *   PURCHASE#<purchaseId>      / NOTICE#<kind>#<status>  that requester notice was sent (first claim wins)
 *   APPROVAL#<approvalId>      / APPROVAL      task token, purchaseId, approver, expiresAt, status
 *   BUDGET#<vendor>#<YYYY-MM>  / BUDGET        reservedCents (reserved + committed) against the cap,
 *                                              plus p_<purchaseId> = that purchase's own cents
 *   DAILY#<YYYY-MM-DD>         / DAILY         purchaseCount against the daily limit, plus p_<purchaseId>
 *   RESERVATION#<purchaseId>   / RESERVATION   amount, month, day, status RESERVED|COMMITTED|RELEASED
 *   LOCK#<name>                / LOCK          holder, expiresAt
 *
 *   GSI purchasesByStatus (status, createdSeq): only PURCHASE#/META items carry createdSeq
 *   (`<createdAt>#<purchaseId>`), so only purchases are in it (sparse); GET /purchases reads it.
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
/** The state table's one index: purchases by status, newest first (PURCHASE#<id>/META items only). */
export const PURCHASE_INDEX = { name: 'purchasesByStatus', partitionKey: 'status', sortKey: 'createdSeq' } as const;
