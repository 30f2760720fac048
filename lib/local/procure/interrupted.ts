import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../../../lambdas/adapters/aws/conditional-check';
import { DynamoApprovalRounds } from '../../../lambdas/adapters/aws/dynamo-approval-rounds';
import { DynamoApprovalStore } from '../../../lambdas/adapters/aws/dynamo-approval-store';
import { approvalDecisionOf, isDecided } from '../../../lambdas/core/approval-decision';
import { DynamoAuditLog } from '../../../lambdas/adapters/aws/dynamo-audit-log';
import { documentClientFor } from '../../../lambdas/shared/aws-clients/dynamodb';
import { DynamoPurchaseStore, PurchaseNotFoundError } from '../../../lambdas/adapters/aws/dynamo-purchase-store';
import { PurchaseStatusConflictError } from '../../../lambdas/core/errors';
import { FINAL_STATUSES, STATE, type ApprovalDecision } from '../../../lambdas/core/workflow';
import { AUDIT_TABLE, STATE_TABLE } from '../../../lambdas/shared/table-keys';
import type { ExecutionRecord } from '../execution-store';
import { abortInterrupted } from '../interrupted-runs';
import type { InterruptedRun } from '../executions';
import type { LocalTable } from '../dynamo';

/**
 * Executions the previous run left RUNNING go on from the state they entered last
 * (`resumeInterruptedExecutions`). Those that cannot (their state machine or state is no longer in
 * the template) are closed instead, never lost silently: the runtime, on start, reports them, marks the records ABORTED (error `Local.RuntimeStopped`), appends an
 * INTERRUPTED entry to the purchase's audit trail (through the audit adapter), marks the
 * purchase's PENDING approvals EXPIRED (so an old link cannot decide anything), lets `closeOut`
 * run the workflow's own failure path (the procure runtime invokes the RecordNotCompleted
 * function, which releases the budget and removes the cart item, or keeps both when money may
 * have been spent), and finally sets a purchase status that is still not final to INTERRUPTED
 * (through the purchase adapter's conditional update).
 */
export interface InterruptedExecution {
  executionArn: string;
  name: string;
  purchaseId: string;
  startDate: string;
  expiredApprovals: number;
}

/** The table whose key schema is `hash` (+ `range`). */
export function tableWithKeys(tables: LocalTable[], hash: string, range: string): LocalTable | undefined {
  return tables.find((t) => {
    const ks = (t.input.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).sort();
    return JSON.stringify(ks) === JSON.stringify([`${hash}:HASH`, `${range}:RANGE`].sort());
  });
}

export async function closeInterruptedExecutions(options: {
  records: ExecutionRecord[];
  client: DynamoDBClient;
  tables: LocalTable[];
  log?: (line: string) => void;
  /** Runs the workflow's own compensation for a closed execution (before the INTERRUPTED status). */
  closeOut?: (purchaseId: string, input: Record<string, unknown>, cause: string) => Promise<void>;
}): Promise<InterruptedExecution[]> {
  const { log } = options;
  const { doc, audit, state, pendingApprovals } = procureTables(options.client, options.tables);
  const out: InterruptedExecution[] = [];
  for (const r of options.records) {
    if (r.status !== 'RUNNING') continue;
    const now = new Date().toISOString();
    const clock = () => new Date(now);
    abortInterrupted(r, now);
    const { purchaseId, input } = purchaseOf(r);
    let expired = 0;
    try {
      if (audit) {
        await new DynamoAuditLog(doc, audit.name, clock).append(purchaseId, {
          type: 'INTERRUPTED',
          status: 'INTERRUPTED',
          message: 'The local runtime stopped while this purchase was in progress; it was closed as interrupted on the next start.',
          detail: { executionArn: r.executionArn, executionName: r.name, startedAt: r.startDate },
          actor: 'system',
        });
      }
      if (state) {
        expired = await expireApprovals(doc, state.name, (await pendingApprovals(state.name)).get(purchaseId) ?? []);
      }
      if (options.closeOut) {
        try {
          await options.closeOut(purchaseId, input, r.cause ?? '');
        } catch (err) {
          log?.(`interrupted: the workflow's close-out of ${r.name} failed: ${(err as Error).name}: ${(err as Error).message}`);
        }
      }
      if (state) {
        await markPurchaseInterrupted(new DynamoPurchaseStore(doc, state.name, clock), purchaseId);
      }
    } catch (err) {
      log?.(`interrupted: could not record ${r.name}: ${(err as Error).name}: ${(err as Error).message}`);
    }
    out.push({ executionArn: r.executionArn, name: r.name, purchaseId, startDate: r.startDate, expiredApprovals: expired });
  }
  return out;
}

/** The purchase an execution runs (its input's purchaseId, else its name) and its parsed input. */
function purchaseOf(r: ExecutionRecord): { purchaseId: string; input: Record<string, unknown> } {
  let purchaseId = r.name;
  let input: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(r.input) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) input = parsed as Record<string, unknown>;
    if (typeof input.purchaseId === 'string' && input.purchaseId) purchaseId = input.purchaseId;
  } catch {
    // keep the execution name
  }
  return { purchaseId, input };
}

/** An execution the previous run left RUNNING that goes on from the state it entered last. */
export interface ResumedExecution {
  executionArn: string;
  name: string;
  purchaseId: string;
  /** The state it goes on from (the machine's first state when it had entered none). */
  state: string;
  expiredApprovals: number;
  /** At RequestApproval: the decision recorded before the stop, handed on instead of asking again. */
  deliveredDecision?: 'APPROVED' | 'REJECTED';
}

/**
 * Lets executions the previous run left RUNNING go on where they stood (executions.ts `resume`),
 * after two things only the runtime knows: the task tokens it handed out died with it, so the
 * purchase's PENDING approvals are marked EXPIRED (their links then say so, and the approval step,
 * entered again, mails fresh ones); and the purchase's audit trail gets a RESUMED entry naming the
 * state, so a second approval mail or a second vendor check is explained.
 */
export async function resumeInterruptedExecutions(options: {
  runs: InterruptedRun[];
  client: DynamoDBClient;
  tables: LocalTable[];
  resume: (run: InterruptedRun, delivered?: { output: unknown }) => void;
  firstState: (run: InterruptedRun) => string;
  log?: (line: string) => void;
}): Promise<ResumedExecution[]> {
  const { doc, audit, state, pendingApprovals } = procureTables(options.client, options.tables);
  const out: ResumedExecution[] = [];
  for (const run of options.runs) {
    const r = run.record;
    const { purchaseId } = purchaseOf(r);
    const from = run.checkpoint?.state ?? options.firstState(run);
    let expired = 0;
    // A decision the approvals API recorded and could not deliver before the stop: delivered now.
    let delivered: { output: ApprovalDecision } | undefined;
    try {
      if (state) {
        const decision =
          run.checkpoint?.state === STATE.RequestApproval ? await undeliveredDecision(doc, state.name, purchaseId, run.checkpoint.enteredAt) : undefined;
        if (decision) delivered = { output: decision };
        expired = await expireApprovals(doc, state.name, (await pendingApprovals(state.name)).get(purchaseId) ?? []);
        const purchase = await new DynamoPurchaseStore(doc, state.name).get(purchaseId);
        if (audit && purchase) {
          const handedOn = decision
            ? `; the decision recorded before the stop (${decision.decision} by ${decision.approver}) was handed on to the workflow`
            : '';
          await new DynamoAuditLog(doc, audit.name).append(purchaseId, {
            type: 'RESUMED',
            status: purchase.status,
            message: `The local runtime stopped while this purchase was at ${from}${handedOn}; it went on from there on the next start.`,
            detail: {
              executionArn: r.executionArn,
              state: from,
              ...(expired ? { expiredApprovals: expired } : {}),
              ...(decision ? { deliveredDecision: decision.decision } : {}),
            },
            actor: 'system',
          });
        }
      }
    } catch (err) {
      // The run still goes on: a lost audit line is better than a purchase left half-way.
      options.log?.(`resumed: could not record ${r.name}: ${(err as Error).name}: ${(err as Error).message}`);
    }
    try {
      try {
        options.resume(run, delivered);
      } catch (err) {
        if (!delivered) throw err;
        options.log?.(`resumed: ${r.name}: the recorded decision could not be handed on (${(err as Error).message}); the approval step runs again`);
        delivered = undefined;
        options.resume(run);
      }
    } catch (err) {
      // Left RUNNING: the next start tries again; nothing was bought or released for it here.
      options.log?.(`resumed: ${r.name} could not go on and stays RUNNING until the next start: ${(err as Error).message}`);
      continue;
    }
    out.push({
      executionArn: r.executionArn,
      name: r.name,
      purchaseId,
      state: from,
      expiredApprovals: expired,
      ...(delivered ? { deliveredDecision: delivered.output.decision } : {}),
    });
  }
  return out;
}

/**
 * The decision of the purchase's current approval round, when the approvals API recorded it after
 * the approval step was entered (`enteredAt`: an older round's decision was delivered before) and
 * the workflow never received it (it was still waiting at RequestApproval when the runtime stopped).
 */
async function undeliveredDecision(doc: DynamoDBDocumentClient, table: string, purchaseId: string, enteredAt: string): Promise<ApprovalDecision | undefined> {
  const round = await new DynamoApprovalRounds(doc, table).get(purchaseId);
  if (!round) return undefined;
  const record = await new DynamoApprovalStore(doc, table).decidedFor(purchaseId, round.taskToken);
  if (!record || !isDecided(record) || !(Date.parse(record.decidedAt ?? '') >= Date.parse(enteredAt))) return undefined;
  return approvalDecisionOf(record);
}

/**
 * procure's audit and state tables among the template's, a document client with the Lambdas' own
 * options, and the PENDING approvals by purchase from one scan of the state table, made when the
 * first execution needs it (a failed scan fails each execution's recording at the same step).
 */
function procureTables(client: DynamoDBClient, tables: LocalTable[]) {
  const doc = documentClientFor(client);
  let pendingScan: Promise<Map<string, ItemKey[]>> | undefined;
  return {
    doc,
    audit: tableWithKeys(tables, AUDIT_TABLE.partitionKey, AUDIT_TABLE.sortKey),
    state: tableWithKeys(tables, STATE_TABLE.partitionKey, STATE_TABLE.sortKey),
    pendingApprovals: (table: string) => (pendingScan ??= pendingApprovalsByPurchase(doc, table)),
  };
}

/** A state-table item's key. */
type ItemKey = Record<string, unknown>;

/** The keys of every PENDING approval record, by purchase id. */
async function pendingApprovalsByPurchase(doc: DynamoDBDocumentClient, table: string): Promise<Map<string, ItemKey[]>> {
  const byPurchase = new Map<string, ItemKey[]>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(#pk, :prefix) AND #s = :pending',
        ExpressionAttributeNames: { '#pk': STATE_TABLE.partitionKey, '#s': 'status' },
        ExpressionAttributeValues: { ':prefix': 'APPROVAL#', ':pending': 'PENDING' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (typeof item.purchaseId !== 'string') continue;
      const keys = byPurchase.get(item.purchaseId) ?? [];
      keys.push({ [STATE_TABLE.partitionKey]: item[STATE_TABLE.partitionKey], [STATE_TABLE.sortKey]: item[STATE_TABLE.sortKey] });
      byPurchase.set(item.purchaseId, keys);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return byPurchase;
}

/** Sets these approvals EXPIRED unless they were decided meanwhile; the count of those expired. */
async function expireApprovals(doc: DynamoDBDocumentClient, table: string, keys: ItemKey[]): Promise<number> {
  let count = 0;
  for (const key of keys) {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET #s = :expired',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':expired': 'EXPIRED', ':pending': 'PENDING' },
        }),
      );
      count += 1;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }
  return count;
}

/** INTERRUPTED, with a reason, unless the purchase is unknown or already final. */
async function markPurchaseInterrupted(purchases: DynamoPurchaseStore, purchaseId: string): Promise<void> {
  try {
    await purchases.update(
      purchaseId,
      { status: 'INTERRUPTED', reason: 'the local runtime stopped while the purchase was in progress' },
      { unlessStatusIn: FINAL_STATUSES },
    );
  } catch (err) {
    if (!(err instanceof PurchaseStatusConflictError) && !(err instanceof PurchaseNotFoundError)) throw err;
  }
}
