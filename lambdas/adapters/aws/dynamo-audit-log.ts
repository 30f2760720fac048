import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditEntryInput, AuditLog, AuditOnce } from '../../core/ports';
import type { PurchaseStatus } from '../../core/workflow';
import { AUDIT_TABLE } from '../../shared/table-keys';
import { redact } from '../../shared/redact';
import { isConditionalCheckFailed } from './conditional-check';

/**
 * Append-only audit trail in the audit table (purchaseId / seq; GSI byStatus on status / at).
 * Only PutItem with `attribute_not_exists` and reads are used, matching an IAM policy that allows
 * nothing else: an entry, once written, cannot be changed by procure.
 */

// One random id per process (cold start) keeps seq unique across concurrent Lambdas; the counter
// keeps entries from one process in write order within the same millisecond.
const PROCESS_ID = randomBytes(4).toString('hex');
let counter = 0;
let lastMs = 0;

/** Time-ordered, unique sort key: `<ISO time>#<12-digit counter>-<process id>`. */
function nextSeq(now: Date): string {
  // A clock that steps back must not reorder this process's entries.
  const ms = Math.max(now.getTime(), lastMs);
  lastMs = ms;
  counter += 1;
  return `${new Date(ms).toISOString()}#${String(counter).padStart(12, '0')}-${PROCESS_ID}`;
}

/**
 * The entry as it is stored: secret-looking detail keys and text scrubbed (defence in depth), and
 * a new seq (or, with `once`, the one fixed by its key and time).
 */
export function auditEntryOf(purchaseId: string, input: AuditEntryInput, now: Date, once?: AuditOnce): AuditEntry {
  return {
    purchaseId,
    at: now.toISOString(),
    type: input.type,
    status: input.status,
    ...(input.message !== undefined ? { message: redact(input.message, { scrubText: true }) } : {}),
    ...(input.detail !== undefined ? { detail: redact(input.detail, { scrubText: true }) } : {}),
    ...(input.actor !== undefined ? { actor: input.actor } : {}),
    seq: once ? `${now.toISOString()}#once-${once.key}` : nextSeq(now),
  };
}

/** `entry` under a new seq, for a retry after its seq was taken. */
export function withNewSeq(entry: AuditEntry, now: Date): AuditEntry {
  return { ...entry, seq: nextSeq(now) };
}

/** The append of `entry`: a Put that never overwrites an entry. */
export function auditPutInput(tableName: string, entry: AuditEntry) {
  return { TableName: tableName, Item: entry, ConditionExpression: 'attribute_not_exists(#seq)', ExpressionAttributeNames: { '#seq': AUDIT_TABLE.sortKey } };
}

/** {@link AuditLog} on DynamoDB. */
export class DynamoAuditLog implements AuditLog {
  /**
   * @param doc document client (shared, created once per cold start)
   * @param tableName the audit table
   * @param clock time source, for tests
   */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Writes one entry; secret-looking detail keys and text are scrubbed first (defence in depth). */
  async append(purchaseId: string, input: AuditEntryInput, once?: AuditOnce): Promise<AuditEntry> {
    const now = once ? new Date(once.at) : this.clock();
    // A collision is practically impossible (process id + counter); retry once with a new seq
    // rather than ever overwriting an entry. With `once` the seq is fixed by key and time, and a
    // collision means another caller already wrote this very entry.
    let entry = auditEntryOf(purchaseId, input, now, once);
    for (let attempt = 1; ; attempt += 1, entry = withNewSeq(entry, now)) {
      try {
        await this.doc.send(new PutCommand(auditPutInput(this.tableName, entry)));
        return entry;
      } catch (err) {
        if (once && isConditionalCheckFailed(err)) return entry;
        if (!isConditionalCheckFailed(err) || attempt >= SEQ_ATTEMPTS) throw err;
      }
    }
  }

  /** Every entry of one purchase, oldest first (strongly consistent). */
  async list(purchaseId: string): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': AUDIT_TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': purchaseId },
          ConsistentRead: true,
          ScanIndexForward: true,
          ExclusiveStartKey: startKey,
        }),
      );
      out.push(...((page.Items ?? []) as AuditEntry[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /** Entries with a status, oldest first, optionally from `since` (ISO) on, up to `limit`. */
  async listByStatus(status: PurchaseStatus, opts: { since?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    const names: Record<string, string> = { '#st': AUDIT_TABLE.statusIndexPartitionKey };
    const values: Record<string, unknown> = { ':st': status };
    let condition = '#st = :st';
    if (opts.since !== undefined) {
      names['#at'] = AUDIT_TABLE.statusIndexSortKey;
      values[':since'] = opts.since;
      condition += ' AND #at >= :since';
    }
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: AUDIT_TABLE.statusIndex,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: true,
          ExclusiveStartKey: startKey,
          ...(opts.limit !== undefined ? { Limit: opts.limit - out.length } : {}),
        }),
      );
      out.push(...((page.Items ?? []) as AuditEntry[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && (opts.limit === undefined || out.length < opts.limit));
    return out;
  }
}

/** Attempts of one entry's write (here and in the step journal): the first, and two more after a taken seq. */
export const SEQ_ATTEMPTS = 3;
