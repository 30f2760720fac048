import { DynamoApprovalStore } from '../adapters/aws/dynamo-approval-store';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { verifyApproval } from '../core/verify-approval';
import type { WorkflowState } from '../core/workflow';
import { documentClient } from './aws-clients/dynamodb';
import { approvalPolicyConfig, tablesConfig } from './config';

/**
 * The money steps' approval check in production: the approval records on the state table, the
 * audit trail, and this function's own APPROVAL_POLICY (lambdas/core/verify-approval.ts).
 */
export function approvalVerifier(step: string): (state: WorkflowState) => Promise<void> {
  const tables = tablesConfig();
  const doc = documentClient();
  const deps = {
    audit: new DynamoAuditLog(doc, tables.auditTable),
    approvals: new DynamoApprovalStore(doc, tables.stateTable),
    policy: approvalPolicyConfig().policy,
  };
  return (state) => verifyApproval(deps, state, step);
}
