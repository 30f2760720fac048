import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoApprovalRounds } from '../../lambdas/adapters/aws/dynamo-approval-rounds';
import { DynamoApprovalStore } from '../../lambdas/adapters/aws/dynamo-approval-store';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoNoticeLedger } from '../../lambdas/adapters/aws/dynamo-notice-ledger';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { DynamoSpendGuard } from '../../lambdas/adapters/aws/dynamo-spend-guard';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import { purchaseIdFor, type RequestApprovalPayload, type WorkflowState } from '../../lambdas/core/workflow';
import { parseApprovalLink } from '../../lib/cli/approval-client';
import { APPROVAL_LINK_HEADER } from '../../lambdas/core/approval-mail';
import type { Mail } from '../../lambdas/core/ports';
import { FakeMailer, FakeTaskCallback } from './fake-ports';
import type { LocalDynamo } from './local-dynamo';
import { cocalcRequest } from './requests';

/**
 * Shared arrangement for the approval handlers: real stores on dynalite, and in-memory fakes of
 * the Mailer and TaskCallback ports (SES and Step Functions cannot run in unit tests).
 */
export const SIGNING_KEY = 'unit-test-signing-key-0123456789abcdef';
export const APPROVERS = ['alice@example.com', 'bob@example.com'];
const TASK_TOKEN = 'AAAAKgAAAAIAAAAAAAAAAfake-task-token-' + 'Q'.repeat(300);

export function approvalWorld(db: LocalDynamo) {
  const doc = db.doc;
  return {
    doc,
    approvals: new DynamoApprovalStore(doc, db.stateTable),
    rounds: new DynamoApprovalRounds(doc, db.stateTable),
    purchases: new DynamoPurchaseStore(doc, db.stateTable),
    audit: new DynamoAuditLog(doc, db.auditTable),
    notices: new DynamoNoticeLedger(doc, db.stateTable),
    spendGuard: new DynamoSpendGuard(doc, db.stateTable, { capsUsd: { cocalc: 100, interserver: 200 }, dailyLimit: 10 }),
    mailer: new FakeMailer(),
    callback: new FakeTaskCallback(),
    signingKey: async () => SIGNING_KEY,
    config: {
      approvers: APPROVERS,
      sender: 'procure@example.com',
      baseUrl: 'https://api.example.com/prod',
      timeoutSeconds: 3600,
      policy: autoApprovePolicy(-1, APPROVERS),
    },
  };
}
export type ApprovalWorld = ReturnType<typeof approvalWorld>;

/** A WorkflowState at RequestApproval, with its PURCHASE record created. */
export async function purchaseAwaitingApproval(
  world: ApprovalWorld,
  requestId: string,
  over: Partial<Record<string, unknown>> = {},
): Promise<RequestApprovalPayload> {
  const request = parsePurchaseRequest(cocalcRequest({ requestId, ...over }));
  const purchaseId = purchaseIdFor(requestId);
  const now = new Date().toISOString();
  await world.purchases.create({ purchaseId, requestId, vendor: 'cocalc', status: 'IN_CART', requestHash: 'h', createdAt: now, updatedAt: now });
  const state: WorkflowState = {
    purchaseId,
    request,
    source: 'api',
    receivedAt: now,
    quote: { vendor: 'cocalc', amountUsd: 12.5, summary: 'CoCalc site license: academic, monthly, 4 GB RAM', autoApprove: false },
  };
  return { taskToken: `${TASK_TOKEN}-${requestId}`, state };
}

/**
 * The approval link of a mail: the one procure put in its `X-Procure-Approval-Link` header, never
 * one parsed out of the body (which quotes requester-written text).
 */
export function linkIn(mail: Pick<Mail, 'headers'>): { url: string; id: string; sig: string } {
  const url = mail.headers?.[APPROVAL_LINK_HEADER];
  if (!url) throw new Error('no approval link in mail');
  const { approvalId, sig } = parseApprovalLink(url);
  return { url, id: approvalId, sig };
}

/** Every item in both tables, as JSON text (for "never written anywhere" assertions). */
export async function everything(world: ApprovalWorld, db: LocalDynamo): Promise<{ state: string; audit: string }> {
  const [state, audit] = await Promise.all([
    world.doc.send(new ScanCommand({ TableName: db.stateTable, ConsistentRead: true })),
    world.doc.send(new ScanCommand({ TableName: db.auditTable, ConsistentRead: true })),
  ]);
  return { state: JSON.stringify(state.Items ?? []), audit: JSON.stringify(audit.Items ?? []) };
}
