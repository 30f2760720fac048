import type { AuditKind } from './audit-kinds';
import type { PurchaseStatus } from './workflow';

// The audit trail's port (part of core/ports.ts; procure's own state, adapters in lambdas/adapters/aws).

/** One audit-trail entry. Append-only: never updated or deleted. */
export interface AuditEntryInput {
  /** What happened: one of the kinds in audit-kinds.ts. */
  type: AuditKind;
  /** The purchase status after this entry. */
  status: PurchaseStatus;
  message?: string;
  /** Structured details (vendor references, amounts, reasons). Never secrets, tokens or signatures. */
  detail?: Record<string, unknown>;
  /** Who caused it: "system", an approver's email, "requester:<email>". */
  actor?: string;
}
export interface AuditEntry extends AuditEntryInput {
  purchaseId: string;
  /** Time-ordered sort key: ISO time + "#" + unique suffix. */
  seq: string;
  at: string;
}
/** Makes an append idempotent: every caller with the same key and time writes the one same entry. */
export interface AuditOnce {
  /** Unique per purchase for this kind of entry, e.g. "request-received". */
  key: string;
  /** The entry's time (canonical ISO), the same for every caller. */
  at: string;
}
export interface AuditLog {
  /** With `once`, a second append of the same key and time writes nothing and returns the entry. */
  append(purchaseId: string, entry: AuditEntryInput, once?: AuditOnce): Promise<AuditEntry>;
  list(purchaseId: string): Promise<AuditEntry[]>;
  listByStatus(status: PurchaseStatus, opts?: { since?: string; limit?: number }): Promise<AuditEntry[]>;
}
