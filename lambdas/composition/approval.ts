import { DynamoApprovalRounds } from '../adapters/aws/dynamo-approval-rounds';
import { DynamoApprovalStore } from '../adapters/aws/dynamo-approval-store';
import type { ApprovalRounds } from '../core/ports';
import { verifyApproval } from '../core/verify-approval';
import type { WorkflowState } from '../core/workflow';
import { documentClient } from '../shared/aws-clients/dynamodb';
import { approvalPolicyConfig, tablesConfig } from '../shared/config';
import { auditLog } from './stores';

/**
 * Composition root (README.md): the approval records and rounds on the state table, and the
 * approval verifier the money steps (Checkout, BuyLicense) call before any vendor call.
 */

/** The approval records (one per link), their round claims and quorum counts (state table). */
export function approvalStore(): DynamoApprovalStore {
  return new DynamoApprovalStore(documentClient(), tablesConfig().stateTable);
}

/** The open approval round of each purchase, for the follow-ups (state table). */
export function approvalRounds(): ApprovalRounds {
  return new DynamoApprovalRounds(documentClient(), tablesConfig().stateTable);
}

/**
 * The money steps' approval check: the approval records, the audit trail, and this function's
 * own APPROVAL_POLICY (lambdas/core/verify-approval.ts).
 */
export function approvalVerifier(step: string): (state: WorkflowState) => Promise<void> {
  const deps = { audit: auditLog(), approvals: approvalStore(), policy: approvalPolicyConfig().policy };
  return (state) => verifyApproval(deps, state, step);
}
