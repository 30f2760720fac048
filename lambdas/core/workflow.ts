import type { HeldItemId } from './held-item';
import { createHash } from 'node:crypto';
import type { PurchaseRequest, Vendor } from './purchase-request';

/**
 * The purchase state machine's contract, shared by the handlers (which read and return these
 * shapes), the CDK construct (which wires the states) and the local runtime. JSONPath only.
 *
 * PreparePurchase (quote, reserve the budget, and for CoCalc the first add to the cart) ->
 *   CartSlotReady? (-> WaitForCartSlot -> AddToCart -> CartSlotReady?, while the vendor's add limit
 *   has no slot yet) -> (AutoApprove | RequestApproval) -> ApprovalDecision (approved, by vendor)
 *   -> (Checkout | BuyLicense) -> VerifyLicense -> RecordCompleted (the end). CartSlotReady also
 *   chooses the approval (auto-approve or ask), for every vendor: an approved purchase passes two
 *   Choices (one more per wait for a cart slot), 7 states in all.
 * Any Catch -> RecordNotCompleted (compensate, record, emit) -> PurchaseNotCompleted (Fail).
 * Checkout's QuoteMismatchError -> PreparePurchase again (with $.mismatch), which always asks.
 * STATE names procure's own states; a vendor's own (AddToCart, Checkout, BuyLicense) are in its
 * folder (vendors/<vendor>/core/states.ts), wired by its stack part.
 */
export const STATE = {
  PreparePurchase: 'PreparePurchase',
  CartSlotReady: 'CartSlotReady',
  WaitForCartSlot: 'WaitForCartSlot',
  AutoApprove: 'AutoApprove',
  RequestApproval: 'RequestApproval',
  ApprovalDecision: 'ApprovalDecision',
  VerifyLicense: 'VerifyLicense',
  RecordCompleted: 'RecordCompleted',
  RecordNotCompleted: 'RecordNotCompleted',
  PurchaseNotCompleted: 'PurchaseNotCompleted',
} as const;

export type { FunctionId, ProcureFunctionId } from './functions';

export const EVENTS = {
  /** Incoming trigger detail-type; its source is configurable (default below). */
  requested: 'License Purchase Requested',
  completed: 'License Purchase Completed',
  failed: 'License Purchase Failed',
  rejected: 'License Purchase Rejected',
  defaultRequestSource: 'procure.requests',
  /** Source of the events procure emits. */
  workflowSource: 'procure.workflow',
} as const;

/** Execution input, written by the intake service. */
export interface ExecutionInput {
  purchaseId: string;
  request: PurchaseRequest;
  source: 'api' | 'event';
  receivedAt: string;
}

/**
 * What vendors add to `$.quote` for their own later steps (vendor-quoter.ts PricedItem.quote).
 * Empty here: each vendor that adds fields declares them in its folder by module augmentation
 * (InterServer: vendors/interserver/core/quote-fields.ts), so procure's core names none.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by the vendors (see above)
export interface VendorQuoteFields {}

/** $.quote, from PreparePurchase (core/validate-and-quote.ts). */
export interface Quote extends VendorQuoteFields {
  vendor: Vendor;
  amountUsd: number;
  /** One line a human reads in the approval mail: "CoCalc site license: business, monthly, 16 GB ...". */
  summary: string;
  /** True when policy allows skipping the human (a 0-approval tier and no mismatch): approvalsNeeded 0. */
  autoApprove: boolean;
  /** The approval tier of the amount, 1-based (core/approval-policy.ts). */
  approvalTier?: number;
  /** Distinct approvals the purchase needs (at least 1 after a re-quote). */
  approvalsNeeded?: number;
}

/** $.reservation, from PreparePurchase (core/reserve-budget.ts). */
export interface Reservation {
  vendor: Vendor;
  amountUsd: number;
  month: string; // YYYY-MM (UTC)
  day: string; // YYYY-MM-DD (UTC)
}

/**
 * $.cart, from AddToCart (CoCalc only): the cart item, or - when the vendor's add limit has no
 * slot yet or the account is busy - when to try again (the machine Waits until `waitUntil`, then
 * runs AddToCart again; `waits` bounds that loop).
 */
export type CartRef = { itemId: HeldItemId; waitUntil?: undefined } | { itemId?: undefined; waitUntil: string; waits: number };

/** $.approval, the SendTaskSuccess output or the AutoApprove Pass result. */
export interface ApprovalDecision {
  decision: 'APPROVED' | 'REJECTED';
  approver: string;
  /** When the round needed several approvals: everyone whose approval counted. */
  approvers?: string[];
  decidedAt: string;
  comment?: string;
}

/** $.purchase, from the vendor's buy step (CoCalc's Checkout, InterServer's BuyLicense, ...). */
export interface PurchaseResult {
  vendor: Vendor;
  amountUsd: number;
  /** The license the buy gave, by the vendor's id for it (as a string). */
  licenseId?: string;
  /** The item its preparation held and the buy took (./held-item.ts), for a vendor that holds one. */
  cartItemId?: HeldItemId;
  /**
   * The vendor's invoice number for the buy, for a vendor that bills by invoice (InterServer's buy
   * answers one; 0 when it was paid at once), and whether that invoice is paid. Generic: an invoice
   * is how any such vendor names what it charged, so procure's outcome rules take it as proof
   * that a buy went through.
   */
  invoice?: number;
  paid?: boolean;
  /** True when the outcome was established by listing after an unknown-outcome error. */
  reconciled: boolean;
}

/** One license in the normalized shape of GET /licenses and $.license. */
export interface NormalizedLicense {
  vendor: Vendor;
  id: string;
  title: string;
  status: string;
  /** What the license applies to, as the vendor's license view says (an IP address, a run limit, ...). */
  target: string;
  createdAt: string | null;
  expiresAt: string | null;
}

/** $.failure, set by every Catch: the Step Functions error object. */
export interface FailureInfo {
  Error: string;
  Cause: string;
}

/** $.mismatch, set by Checkout's QuoteMismatchError catch (the same Step Functions error object). */
export type MismatchInfo = FailureInfo;

/** The whole state as it grows through the machine. */
export interface WorkflowState extends ExecutionInput {
  quote?: Quote;
  reservation?: Reservation;
  cart?: CartRef;
  approval?: ApprovalDecision;
  purchase?: PurchaseResult;
  license?: NormalizedLicense;
  mismatch?: MismatchInfo;
  failure?: FailureInfo;
}

/** Payload of RequestApproval (Parameters.Payload of the waitForTaskToken task). */
export interface RequestApprovalPayload {
  taskToken: string;
  state: WorkflowState;
}

/** Payload of RecordOutcome. */
export interface RecordOutcomePayload {
  outcome: 'COMPLETED' | 'NOT_COMPLETED';
  state: WorkflowState;
}

/**
 * Every purchase status, as GET /purchases/{id} reports them. A value list (not only a type): GET
 * /purchases validates `?status=` against it and lists all purchases by querying each status.
 */
export const PURCHASE_STATUSES = [
  'RECEIVED',
  'QUOTED',
  'RESERVED',
  'IN_CART',
  'AWAITING_APPROVAL',
  'APPROVED',
  'PURCHASING',
  'PURCHASED',
  'COMPLETED',
  'INVALID',
  'REJECTED',
  'EXPIRED',
  'FAILED',
  'NEEDS_ATTENTION',
  'INTERRUPTED',
] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

/**
 * Final purchase statuses: the ones RecordOutcome (or the local runtime's interrupted close-out)
 * leaves a purchase in. Nothing that happens afterwards may move a purchase out of them.
 */
export const FINAL_STATUSES: readonly PurchaseStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'INVALID', 'NEEDS_ATTENTION', 'INTERRUPTED'];

/**
 * The purchase id (and Step Functions execution name) for a caller's requestId: deterministic, so
 * a repeated request maps to the same execution; hashed, so it fits execution-name rules.
 */
export function purchaseIdFor(requestId: string): string {
  return `pur-${createHash('sha256').update(requestId, 'utf8').digest('hex').slice(0, 32)}`;
}
