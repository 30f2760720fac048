import type { HeldItemId } from './held-item';
import type { CleanupStep } from './cleanup-steps';
import type { Vendor } from './purchase-request';
import type { PurchaseStatus } from './workflow';

// The purchase record and its stores (part of core/ports.ts; procure's own state, adapters in lambdas/adapters/aws).

/**
 * The current view of one purchase (state table PURCHASE#<id> / META). A vendor whose steps keep
 * their own progress on it adds those fields from its folder by module augmentation (CoCalc's
 * checkout progress: lambdas/vendors/cocalc/core/purchase-fields.ts).
 */
export interface PurchaseRecord {
  purchaseId: string;
  requestId: string;
  vendor: Vendor;
  status: PurchaseStatus;
  /** sha256 of the canonical request JSON: a repeated requestId with another body is a conflict. */
  requestHash: string;
  createdAt: string;
  updatedAt: string;
  amountUsd?: number;
  /** The item a vendor's preparation holds for it (./held-item.ts). */
  cartItemId?: HeldItemId;
  licenseId?: string;
  /** The vendor's invoice number for the buy, when it bills by invoice (./workflow.ts PurchaseResult). */
  invoice?: number;
  executionArn?: string;
  reason?: string;
  /** What a purchase step is waiting for, shown by `procure status`; null once it goes on. */
  waiting?: PurchaseWaiting | null;
  /**
   * NEEDS_ATTENTION only: the compensation steps RecordNotCompleted could not finish, in the order
   * they must run; the reconciler retries them. Empty or absent: nothing left to clean up.
   */
  cleanupPending?: CleanupStep[];
  /** Set when a person settled a NEEDS_ATTENTION purchase (`procure resolve`). */
  resolution?: PurchaseResolution;
  /** Who asked for it, as the request named them (written at intake; GET /purchases shows it). */
  requester?: { name: string; email: string };
  /** `false` when the request opted out of requester notices (absent: notices are sent). */
  notifyRequester?: boolean;
  /**
   * The approval round RequestApproval opened last: who got a link and until when. Only meaningful
   * while the status is AWAITING_APPROVAL (the first decision ends the round).
   */
  pendingApproval?: PendingApproval;
}

/** An open approval round, as recorded on the purchase. */
export interface PendingApproval {
  /** Who was sent a link and has not approved yet. */
  approvers: string[];
  /** Distinct approvals still needed (absent: one, any of `approvers`). */
  approvalsNeeded?: number;
  /** Who approved already, when the round needs more than one approval. */
  approvedBy?: string[];
  /** When the links stop working. */
  expiresAt: string;
}

/** A purchase step that will run again later (the state machine waits, never a Lambda). */
export interface PurchaseWaiting {
  /** Human words: "a CoCalc cart/add slot (the vendor allows 15 adds a minute)". */
  for: string;
  since: string;
  /** When the next try is scheduled, if known. */
  until?: string;
}

/** A person's finding on a NEEDS_ATTENTION purchase, recorded by `procure resolve`. */
export interface PurchaseResolution {
  finding: 'bought' | 'not-bought';
  /** The license the person found (finding `bought`). */
  licenseId?: string;
  /** The IAM identity that called the API. */
  actor: string;
  comment?: string;
  at: string;
}
export interface PurchaseStore {
  /**
   * Conditional put of REQ#<requestId>: exactly one caller ever claims a requestId. `claimedAt` is
   * the claim's own time, the same for every caller (absent only on claims stored without one).
   */
  claimRequest(
    requestId: string,
    purchaseId: string,
    requestHash: string,
  ): Promise<{ claimed: true; claimedAt: string } | { claimed: false; purchaseId: string; requestHash: string; claimedAt?: string }>;
  create(record: PurchaseRecord): Promise<void>;
  get(purchaseId: string): Promise<PurchaseRecord | undefined>;
  /**
   * Sets fields of an existing record. With `unlessStatusIn`, the write is refused with
   * PurchaseStatusConflictError (and nothing changes) when the current status is one of those;
   * with `ifStatusIn`, when it is not one of those.
   */
  update(purchaseId: string, patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>, options?: PurchaseUpdateOptions): Promise<void>;
}

/** Statuses an update may, or may not, find the purchase in ({@link PurchaseStore.update}). */
export interface PurchaseUpdateOptions {
  unlessStatusIn?: readonly PurchaseStatus[];
  ifStatusIn?: readonly PurchaseStatus[];
}

/** One page of {@link PurchaseIndex.list}: newest first. */
export interface PurchasePage {
  records: PurchaseRecord[];
  /** Where the next page starts (opaque to callers); absent on the last page. */
  next?: string;
}

/**
 * The purchases by creation time, newest first, optionally of one status (the state table's
 * purchasesByStatus index, table-keys.ts). Reads only; an index is eventually consistent, so a
 * purchase may show its previous status for a moment.
 */
export interface PurchaseIndex {
  /**
   * Up to `limit` purchases created at or after `since` (ISO time) and before the cursor `after`
   * (a `next` from an earlier page), of `status` when given.
   */
  list(query: { status?: PurchaseStatus; since?: string; after?: string; limit: number }): Promise<PurchasePage>;
}
