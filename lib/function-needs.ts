import { Duration } from 'aws-cdk-lib';
import type { FunctionId, ProcureFunctionId } from '../lambdas/core/workflow';
import type { WorkflowFunctionProps } from './constructs/workflow-function';

/**
 * What each of procure's own functions needs: its sizing, the groups whose environment and grants
 * it gets (ProcureStack wires each group once), and whether its every error is an incident. One
 * table per question; a vendor's own functions declare theirs in its stack.ts, and
 * ./function-uses.ts puts the two together.
 */

export type Sizing = Pick<WorkflowFunctionProps, 'timeout' | 'memorySize'>;

/**
 * Timeout and memory of procure's own functions: vendor calls get 60 s; API-facing ones stay under
 * API Gateway's 29 s. A vendor's own functions are sized in its stack.ts.
 */
export const PROCURE_SIZING: Record<ProcureFunctionId, Sizing> = {
  PurchasesApi: { timeout: Duration.seconds(15) },
  Intake: { timeout: Duration.seconds(30) },
  PreparePurchase: { timeout: Duration.seconds(60), memorySize: 512 },
  RequestApproval: { timeout: Duration.seconds(30) },
  ApprovalsApi: { timeout: Duration.seconds(15) },
  VerifyLicense: { timeout: Duration.seconds(60), memorySize: 512 },
  RecordOutcome: { timeout: Duration.seconds(60), memorySize: 512 },
  ListLicenses: { timeout: Duration.seconds(28), memorySize: 512 },
  // Under API Gateway's 29 s; the InterServer catalog read is the slow part (SOAP client cold start).
  QuotesApi: { timeout: Duration.seconds(28), memorySize: 512 },
  // One run closes a few stale purchases through RecordNotCompleted (vendor calls) and stops
  // starting new work 20 s before its deadline (lambdas/core/reconcile-runner.ts).
  Reconcile: { timeout: Duration.seconds(120), memorySize: 512 },
  // Under API Gateway's 29 s (it also answers POST /purchases/{id}/approvals/resend).
  ApprovalReminders: { timeout: Duration.seconds(28) },
};

/**
 * Who needs what. Each function gets exactly the environment and grants of its groups. Reconcile
 * closes stale purchases through RecordOutcome's code, so it is in every group RecordOutcome is in.
 * A vendor's own functions name their groups in its stack.ts (./function-uses.ts adds them), and the
 * functions that call a vendor are listed there too (ProcureStack gives them its secret and settings).
 */
export const PROCURE_USES = {
  /** Both tables (state: item reads/writes; audit: PutItem only). */
  tables: ['PurchasesApi', 'Intake', 'PreparePurchase', 'RequestApproval', 'ApprovalsApi', 'VerifyLicense', 'RecordOutcome', 'Reconcile', 'ApprovalReminders'],
  /**
   * Read-only state: QuotesApi reads budget counters (GetItem) and nothing else. tablesConfig()
   * reads both table names, so it gets both; it has no grant on the audit table.
   */
  stateReaders: ['QuotesApi'],
  /** GET /purchases, and the follow-ups' purchases awaiting approval: Query on the state table's purchasesByStatus index. */
  purchaseListers: ['PurchasesApi', 'ApprovalReminders'],
  /**
   * Of the table users, the ones that read the audit trail back (status API, reconciliation after an unknown
   * outcome; the money steps verify the approval round it names).
   */
  auditReaders: ['PurchasesApi', 'PreparePurchase', 'RecordOutcome', 'Reconcile'],
  signing: ['RequestApproval', 'ApprovalsApi', 'ApprovalReminders'],
  approvalMail: ['RequestApproval'],
  /** Reminders, escalation and resends: fresh links to the approvers and escalation approvers. */
  followUps: ['ApprovalReminders'],
  /** RecordOutcome mails the approvers when a purchase ends NEEDS_ATTENTION, and the requester when any ends. */
  attentionMail: ['RecordOutcome', 'Reconcile'],
  /**
   * ApprovalsApi mails the requester that their purchase was approved, PurchasesApi how a
   * NEEDS_ATTENTION purchase a person resolved ended (the sender only).
   */
  requesterMail: ['ApprovalsApi', 'PurchasesApi'],
  /**
   * The approval policy by amount: PreparePurchase applies it (approved by policy or not),
   * RequestApproval asks the tier's approvers, the money steps re-check it from their own config,
   * QuotesApi tells which tier a quote falls in.
   */
  approvalPolicy: ['PreparePurchase', 'RequestApproval', 'QuotesApi'],
  /**
   * PurchasesApi commits or releases the budget of a resolved NEEDS_ATTENTION purchase; QuotesApi
   * reads what is left.
   */
  budget: ['PreparePurchase', 'RequestApproval', 'ApprovalsApi', 'ApprovalReminders', 'RecordOutcome', 'Reconcile', 'PurchasesApi', 'QuotesApi'],
  startExecution: ['PurchasesApi', 'Intake'],
  events: ['Intake', 'PurchasesApi', 'RecordOutcome', 'Reconcile'],
  taskResponse: ['ApprovalsApi'],
} as const satisfies Record<string, readonly ProcureFunctionId[]>;

/** A group of functions with the same needs (the tables, the budget, the approval policy, ...). */
export type NeedGroup = keyof typeof PROCURE_USES;

/**
 * Functions whose every error is an incident: each gets its own errors alarm (the alarm then names
 * the function and its log group). The others - PreparePurchase, VerifyLicense and every vendor's
 * own functions (CocalcAddToCart, CocalcCheckout, InterserverBuy) - throw as part of normal work (a
 * refused budget, a busy lock, a license not listed yet, a vendor total that moved) and the state
 * machine retries or catches those errors by name; when one of them really fails, its purchase
 * ends FAILED or NEEDS_ATTENTION, and the alarm topic hears of that purchase by itself.
 */
export const ERRORS_ARE_INCIDENTS = [
  'PurchasesApi',
  'ApprovalsApi',
  'QuotesApi',
  'ListLicenses',
  'Intake',
  'RequestApproval',
  'RecordOutcome',
  'Reconcile',
  'ApprovalReminders',
] as const satisfies readonly FunctionId[];
