import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand, ScanCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AUDIT_TABLE, STATE_TABLE } from '../../lambdas/shared/table-keys';
import type { ExecutionRecord } from './execution-store';
import type { LocalTable } from './dynamo';

/**
 * Closing executions the previous run left RUNNING. The in-memory engine cannot resume a Task that
 * was waiting (for an approval click, say), so instead of losing them silently the runtime, on
 * start: reports them, marks the records ABORTED (error `Local.RuntimeStopped`), appends an
 * INTERRUPTED entry to the purchase's audit trail (the audit schema of table-keys.ts, conditional
 * put like the audit adapter), marks the purchase's PENDING approvals EXPIRED (so an old link
 * cannot decide anything), lets `closeOut` run the workflow's own failure path (the procure
 * runtime invokes the RecordNotCompleted function, which releases the budget and removes the cart
 * item, or keeps both when money may have been spent), and finally sets a purchase status that is
 * still not final to INTERRUPTED.
 */
export interface InterruptedExecution {
  executionArn: string;
  name: string;
  purchaseId: string;
  startDate: string;
  expiredApprovals: number;
}

const FINAL_STATUSES = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'INVALID', 'NEEDS_ATTENTION', 'INTERRUPTED'];

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
  const { client, log } = options;
  const audit = tableWithKeys(options.tables, AUDIT_TABLE.partitionKey, AUDIT_TABLE.sortKey);
  const state = tableWithKeys(options.tables, STATE_TABLE.partitionKey, STATE_TABLE.sortKey);
  const out: InterruptedExecution[] = [];
  for (const r of options.records) {
    if (r.status !== 'RUNNING') continue;
    const now = new Date().toISOString();
    r.status = 'ABORTED';
    r.stopDate = now;
    r.error = 'Local.RuntimeStopped';
    r.cause = 'The local runtime stopped while this execution was running; the in-memory engine cannot resume it.';
    let purchaseId = r.name;
    let input: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(r.input) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) input = parsed as Record<string, unknown>;
      if (typeof input.purchaseId === 'string' && input.purchaseId) purchaseId = input.purchaseId;
    } catch {
      // keep the execution name
    }
    let expired = 0;
    try {
      if (audit) await appendAudit(client, audit.name, purchaseId, r, now);
      if (state) {
        expired = await expireApprovals(client, state.name, purchaseId);
      }
      if (options.closeOut) {
        try {
          await options.closeOut(purchaseId, input, r.cause);
        } catch (err) {
          log?.(`interrupted: the workflow's close-out of ${r.name} failed: ${(err as Error).name}: ${(err as Error).message}`);
        }
      }
      if (state) {
        await markPurchaseInterrupted(client, state.name, purchaseId, now);
      }
    } catch (err) {
      log?.(`interrupted: could not record ${r.name}: ${(err as Error).name}: ${(err as Error).message}`);
    }
    out.push({ executionArn: r.executionArn, name: r.name, purchaseId, startDate: r.startDate, expiredApprovals: expired });
  }
  return out;
}

async function appendAudit(client: DynamoDBClient, table: string, purchaseId: string, r: ExecutionRecord, now: string): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        [AUDIT_TABLE.partitionKey]: { S: purchaseId },
        [AUDIT_TABLE.sortKey]: { S: `${now}#000000000000-${randomBytes(4).toString('hex')}` },
        [AUDIT_TABLE.statusIndexSortKey]: { S: now },
        [AUDIT_TABLE.statusIndexPartitionKey]: { S: 'INTERRUPTED' },
        type: { S: 'INTERRUPTED' },
        message: { S: 'The local runtime stopped while this purchase was in progress; it was closed as interrupted on the next start.' },
        detail: { M: { executionArn: { S: r.executionArn }, executionName: { S: r.name }, startedAt: { S: r.startDate } } },
        actor: { S: 'system' },
      },
      ConditionExpression: 'attribute_not_exists(#seq)',
      ExpressionAttributeNames: { '#seq': AUDIT_TABLE.sortKey },
    }),
  );
}

async function expireApprovals(client: DynamoDBClient, table: string, purchaseId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(#pk, :prefix) AND #p = :pid AND #s = :pending',
        ExpressionAttributeNames: { '#pk': STATE_TABLE.partitionKey, '#p': 'purchaseId', '#s': 'status' },
        ExpressionAttributeValues: { ':prefix': { S: 'APPROVAL#' }, ':pid': { S: purchaseId }, ':pending': { S: 'PENDING' } },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { [STATE_TABLE.partitionKey]: item[STATE_TABLE.partitionKey]!, [STATE_TABLE.sortKey]: item[STATE_TABLE.sortKey]! },
            UpdateExpression: 'SET #s = :expired',
            ConditionExpression: '#s = :pending',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':expired': { S: 'EXPIRED' }, ':pending': { S: 'PENDING' } },
          }),
        );
        count += 1;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  return count;
}

async function markPurchaseInterrupted(client: DynamoDBClient, table: string, purchaseId: string, now: string): Promise<void> {
  const finals = Object.fromEntries(FINAL_STATUSES.map((s, i) => [`:f${i}`, { S: s }]));
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { [STATE_TABLE.partitionKey]: { S: `PURCHASE#${purchaseId}` }, [STATE_TABLE.sortKey]: { S: 'META' } },
        UpdateExpression: 'SET #s = :interrupted, updatedAt = :now, reason = :reason',
        ConditionExpression: `attribute_exists(#pk) AND NOT (#s IN (${Object.keys(finals).join(', ')}))`,
        ExpressionAttributeNames: { '#s': 'status', '#pk': STATE_TABLE.partitionKey },
        ExpressionAttributeValues: {
          ':interrupted': { S: 'INTERRUPTED' },
          ':now': { S: now },
          ':reason': { S: 'the local runtime stopped while the purchase was in progress' },
          ...finals,
        },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}
