import { cocalcItemId } from '../../lambdas/vendors/cocalc/core/cart-item-id';
import type { HeldItemId } from '../../lambdas/core/held-item';
import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoApprovalStore } from '../../lambdas/adapters/aws/dynamo-approval-store';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoStepJournal } from '../../lambdas/adapters/aws/dynamo-step-journal';
import { DynamoLockManager } from '../../lambdas/adapters/aws/dynamo-lock-manager';
import { DynamoNoticeLedger } from '../../lambdas/adapters/aws/dynamo-notice-ledger';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { DynamoRateSlots } from '../../lambdas/adapters/aws/dynamo-rate-slots';
import { DynamoSpendGuard } from '../../lambdas/adapters/aws/dynamo-spend-guard';
import { createCocalcGateway } from '../../lambdas/vendors/cocalc/adapters';
import { createInterserverGateway } from '../../lambdas/vendors/interserver/adapters';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';
import type { InterserverGateway } from '../../lambdas/vendors/interserver/core/ports';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import type { LeftoversByVendor } from '../../lambdas/core/vendor-leftovers';
import type { QuotersByVendor } from '../../lambdas/core/vendor-quoter';
import { cocalcLeftovers } from '../../lambdas/vendors/cocalc/core/leftovers';
import { cocalcQuoter } from '../../lambdas/vendors/cocalc/core/quoter';
import { interserverQuoter } from '../../lambdas/vendors/interserver/core/quoter';
import type { RateLimit } from '../../lambdas/core/rate-slots';
import { verifyApproval } from '../../lambdas/core/verify-approval';
import { quoteMismatchError } from '../../lambdas/core/quote-mismatch';
import type { MismatchInfo, PurchaseStatus, WorkflowState } from '../../lambdas/core/workflow';
import type { AddToCartDeps } from '../../lambdas/vendors/cocalc/handlers/add-to-cart';
import type { BudgetConfig } from '../../lambdas/shared/config';
import { startLocalDynamo, type LocalDynamo } from './local-dynamo';

/**
 * The real state-side adapters of the workflow steps on a fresh dynalite, for handler tests. The
 * vendors are the real sandboxes over loopback (see {@link cocalcGatewayFor},
 * {@link interserverGatewayFor}); nothing here is a mock.
 */
export interface StepHarness {
  db: LocalDynamo;
  doc: DynamoDBDocumentClient;
  audit: DynamoAuditLog;
  /** The approval records on the state table, as the approvals API keeps them. */
  approvals: DynamoApprovalStore;
  purchases: DynamoPurchaseStore;
  /** A step's status and audit entry in one transaction, as production journals them (composition/stores.ts purchaseJournal). */
  steps: DynamoStepJournal;
  /** Requester notices sent (PURCHASE#<id> / NOTICE#<kind>). */
  notices: DynamoNoticeLedger;
  spendGuard: DynamoSpendGuard;
  /** As in production: a busy lock throws LockBusyError at once (the state machine's Retry waits). */
  locks: DynamoLockManager;
  /** The `shopping/cart/add` slot ledger on this table (SLOTS#cocalc-cart-add), see {@link StepHarnessOptions}. */
  slots: DynamoRateSlots;
  close(): Promise<void>;
}

/** Options of {@link startStepHarness}. */
export interface StepHarnessOptions {
  /**
   * The limits the slot ledger schedules adds under. Handler tests run the CoCalc sandbox without
   * its throttle, so by default the ledger is as loose (no add ever waits); tests of the waiting
   * itself pass COCALC_CART_ADD_LIMITS or build their own DynamoRateSlots.
   * @default UNTHROTTLED_CART_ADD
   */
  readonly cartAddLimits?: readonly RateLimit[];
}

/** A ledger limit no handler test reaches: the counterpart of a sandbox started with `throttle: false`. */
export const UNTHROTTLED_CART_ADD: readonly RateLimit[] = [{ max: 100_000, windowMs: 1_000 }];

const TEST_BUDGET: BudgetConfig = { capsUsd: { cocalc: 1000, interserver: 500 }, dailyLimit: 100 };

export async function startStepHarness(budget: BudgetConfig = TEST_BUDGET, options: StepHarnessOptions = {}): Promise<StepHarness> {
  const db = await startLocalDynamo();
  const doc = db.doc;
  return {
    db,
    doc,
    audit: new DynamoAuditLog(doc, db.auditTable),
    approvals: new DynamoApprovalStore(doc, db.stateTable),
    purchases: new DynamoPurchaseStore(doc, db.stateTable),
    steps: new DynamoStepJournal(doc, db.stateTable, db.auditTable),
    notices: new DynamoNoticeLedger(doc, db.stateTable),
    spendGuard: new DynamoSpendGuard(doc, db.stateTable, budget),
    locks: new DynamoLockManager(doc, db.stateTable),
    // The production defaults otherwise (lambdas/vendors/cocalc/composition/cart-add.ts cartAddSlots), except that a claim is
    // recorded at exactly the `now` its caller gives: handler tests run on clocks of their own.
    slots: new DynamoRateSlots(doc, db.stateTable, { limits: options.cartAddLimits ?? UNTHROTTLED_CART_ADD, clock: () => 0 }),
    close: () => db.close(),
  };
}

/**
 * A workflow state for `body` (a request body), with a fresh purchaseId and requestId, and the
 * purchase record intake would have created.
 */
export async function newPurchase(
  h: Pick<StepHarness, 'purchases'>,
  body: Record<string, unknown>,
  over: Partial<WorkflowState> = {},
  status: PurchaseStatus = 'RECEIVED',
): Promise<WorkflowState> {
  const requestId = `req-${randomUUID()}`;
  const request = parsePurchaseRequest({ ...body, requestId });
  const purchaseId = `pur-${randomUUID().replace(/-/g, '')}`;
  const now = new Date().toISOString();
  await h.purchases.create({
    purchaseId,
    requestId,
    vendor: request.vendor,
    status,
    requestHash: 'test',
    createdAt: now,
    updatedAt: now,
  });
  return { purchaseId, request, source: 'api', receivedAt: now, ...over };
}

/** An approval as the approvals API delivers it. */
export const APPROVED = { decision: 'APPROVED', approver: 'boss@example.com', decidedAt: '2026-07-10T12:00:00Z' } as const;

/**
 * The money steps' approval check as production wires it (lambdas/composition/approval.ts),
 * on `h`. `autoApproveMaxUsd` is the step's own limit; -1 (always ask) by default; the approver is
 * {@link APPROVED}'s.
 */
export function approvalVerifierFor(h: Pick<StepHarness, 'audit' | 'approvals'>, step: string, autoApproveMaxUsd = -1) {
  const policy = autoApprovePolicy(autoApproveMaxUsd, [APPROVED.approver]);
  return (state: WorkflowState) => verifyApproval({ audit: h.audit, approvals: h.approvals, policy }, state, step);
}

/**
 * What a human approval through the link leaves behind for `state`'s quote: an APPROVAL_SENT
 * audit entry naming an approval record, decided APPROVED through the store; `$.approval` as the
 * approvals API sends it.
 */
export async function approveThroughLink(
  h: Pick<StepHarness, 'audit' | 'approvals'>,
  state: WorkflowState,
  approver = APPROVED.approver,
): Promise<WorkflowState> {
  const quote = state.quote;
  if (!quote) throw new Error('approveThroughLink needs $.quote');
  const approvalId = `appr-${randomUUID()}`;
  const now = new Date();
  await h.approvals.create({
    approvalId,
    purchaseId: state.purchaseId,
    approver,
    taskToken: `token-${randomUUID()}`,
    expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
    status: 'PENDING',
    createdAt: now.toISOString(),
    summary: { vendor: quote.vendor, item: quote.summary, amountUsd: quote.amountUsd, requester: { name: 'R', email: 'r@example.com' }, reason: 'test' },
  });
  await h.audit.append(state.purchaseId, {
    type: 'APPROVAL_SENT',
    status: 'AWAITING_APPROVAL',
    actor: 'system',
    detail: { approvers: [approver], approvalIds: [approvalId], amountUsd: quote.amountUsd },
  });
  const decided = await h.approvals.decide(approvalId, { status: 'APPROVED', decidedAt: now.toISOString() }, now);
  return { ...state, approval: { decision: 'APPROVED', approver, decidedAt: decided.decidedAt ?? now.toISOString() } };
}

/** The CoCalc gateway pointed at a sandbox. */
export function cocalcGatewayFor(url: string, apiKey: string, timeoutMs = 5_000): CocalcGateway {
  return createCocalcGateway({ baseUrl: url, apiKey, checkoutMode: 'current', timeoutMs });
}

/** The InterServer gateway pointed at a sandbox. */
export function interserverGatewayFor(sandbox: { url: string; endpoint: string }, username: string, password: string): InterserverGateway {
  return createInterserverGateway({ wsdlUrl: sandbox.url, endpoint: sandbox.endpoint, username, password, timeoutMs: 5_000 });
}

/** Each vendor's quoter as production wires it (composition/vendor-quoters.ts), InterServer's catalog read through `interserver`. */
export function quotersWith(interserver: () => Promise<InterserverGateway>): QuotersByVendor {
  return { cocalc: cocalcQuoter, interserver: interserverQuoter(interserver) };
}

/** Each vendor's leftovers as production wires them (composition/vendor-preparations.ts), CoCalc's cart read through `gateway`. */
export function leftoversWith(gateway: CocalcGateway): LeftoversByVendor {
  return { cocalc: cocalcLeftovers(async () => gateway), interserver: null };
}

/** What AddToCart and Checkout are wired with in production (lambdas/composition/stores.ts vendorStepStores), on `h` and `gateway`. */
export function cocalcStepDeps(h: StepHarness, gateway: CocalcGateway): AddToCartDeps {
  return {
    audit: h.audit,
    purchases: h.purchases,
    steps: h.steps,
    locks: h.locks,
    slots: h.slots,
    cocalc: async () => gateway,
  };
}

/**
 * What Checkout does on a mismatch: records both amounts in the trail (QUOTE_MISMATCH), then throws
 * QuoteMismatchError; returned as the Catch writes it at `$.mismatch`.
 */
export async function recordQuoteMismatch(
  h: Pick<StepHarness, 'audit'>,
  purchaseId: string,
  vendorTotalUsd: number,
  approvedUsd: number,
): Promise<MismatchInfo> {
  await h.audit.append(purchaseId, {
    type: 'QUOTE_MISMATCH',
    status: 'APPROVED',
    actor: 'system',
    message: 'Not checking out',
    detail: { vendorTotalUsd, approvedUsd },
  });
  return mismatchInfo(vendorTotalUsd, approvedUsd);
}

/** `$.mismatch` as Step Functions' Catch writes it for Checkout's QuoteMismatchError. */
export function mismatchInfo(vendorTotalUsd: number, approvedUsd: number): MismatchInfo {
  const err = quoteMismatchError(vendorTotalUsd, approvedUsd);
  return { Error: err.name, Cause: JSON.stringify({ errorType: err.name, errorMessage: err.message, trace: [] }) };
}

/** CoCalc's cart item id held by `ref` (a step's CartRef, or a state's `cart`); throws when it holds none. */
export function cocalcItemOf(ref: { itemId?: HeldItemId } | undefined): number {
  if (ref?.itemId === undefined) throw new Error(`expected a cart item, got ${JSON.stringify(ref)}`);
  return cocalcItemId(ref.itemId);
}
