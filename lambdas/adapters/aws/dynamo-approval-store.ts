import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApprovalAlreadyDecidedError, ApprovalExpiredError, ApprovalNotFoundError } from '../../core/errors';
import type { ApprovalRecord, ApprovalStore } from '../../core/ports';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';
import { isDecided } from '../../core/approval-decision';

/**
 * {@link ApprovalStore} on the state table, transaction-free (dynalite has none):
 *
 *   APPROVAL#<approvalId> / APPROVAL                the record, task token included (never leaves the table)
 *   PURCHASE#<purchaseId> / DECISION#<round>        which approval decided this round: the first claim wins
 *
 * A "round" is one RequestApproval invocation: every approver mailed in it shares the task token,
 * so the round id is a hash of that token. It is per round rather than per purchase because a
 * vendor total that changed after approval asks again (a new task token) for the same purchase.
 *
 * decide() order: check the record, claim the round, then flip the record PENDING -> decided with
 * `#status = PENDING AND expiresAt > now`. The claim comes first so that two approvers can never
 * both end up decided; the claim is keyed to the approval, so a crash between the two steps is
 * finished by the same link being posted again.
 */

const PK = STATE_TABLE.partitionKey;
const SK = STATE_TABLE.sortKey;
/** Decided and expired records are kept this long after expiry for reference; TTL is only tidy-up. */
const RETAIN_SECONDS = 90 * 24 * 3600;

function approvalKey(approvalId: string): Record<string, string> {
  return { [PK]: `APPROVAL#${approvalId}`, [SK]: 'APPROVAL' };
}

/** Round id of an approval request: the same for every approver mailed with one task token. */
export function approvalRound(taskToken: string): string {
  return createHash('sha256').update(taskToken, 'utf8').digest('hex').slice(0, 32);
}

/** The claim of a decided round (`approvalRound` of its task token): one item per round. */
export function decisionKeyOfRound(purchaseId: string, round: string): Record<string, string> {
  return { [PK]: `PURCHASE#${purchaseId}`, [SK]: `DECISION#${round}` };
}

function decisionKey(purchaseId: string, taskToken: string): Record<string, string> {
  return decisionKeyOfRound(purchaseId, approvalRound(taskToken));
}

function toRecord(item: Record<string, unknown>): ApprovalRecord {
  const { [PK]: _pk, [SK]: _sk, [STATE_TABLE.ttlAttribute]: _ttl, ...rest } = item;
  return rest as unknown as ApprovalRecord;
}

export class DynamoApprovalStore implements ApprovalStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores a new PENDING record; an existing id is never overwritten. */
  async create(record: ApprovalRecord): Promise<void> {
    // The expiry condition compares ISO strings; only the canonical form orders correctly.
    if (Number.isNaN(Date.parse(record.expiresAt)) || new Date(record.expiresAt).toISOString() !== record.expiresAt) {
      throw new RangeError(`approval expiresAt must be a canonical ISO time (toISOString): ${record.expiresAt}`);
    }
    const ttl = Math.floor(Date.parse(record.expiresAt) / 1000) + RETAIN_SECONDS;
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...approvalKey(record.approvalId), ...record, [STATE_TABLE.ttlAttribute]: ttl },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
    );
  }

  /** The record (strongly consistent), or undefined for an unknown id. */
  async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const got = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: approvalKey(approvalId), ConsistentRead: true }),
    );
    return got.Item ? toRecord(got.Item) : undefined;
  }

  /**
   * Single-use decision. Throws ApprovalNotFoundError, ApprovalAlreadyDecidedError (this link was
   * used, or another approver decided this round) or ApprovalExpiredError; nothing changes then.
   */
  async decide(
    approvalId: string,
    decision: { status: 'APPROVED' | 'REJECTED'; decidedAt: string; comment?: string },
    now: Date,
  ): Promise<ApprovalRecord> {
    const record = await this.get(approvalId);
    if (!record) throw new ApprovalNotFoundError(`approval ${approvalId} not found`);
    assertOpen(record, now);

    await this.claimRound(record, decision.decidedAt);

    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: approvalKey(approvalId),
          UpdateExpression:
            decision.comment !== undefined
              ? 'SET #status = :decided, decidedAt = :at, #comment = :comment'
              : 'SET #status = :decided, decidedAt = :at',
          ConditionExpression: '#status = :pending AND expiresAt > :now',
          ExpressionAttributeNames: { '#status': 'status', ...(decision.comment !== undefined ? { '#comment': 'comment' } : {}) },
          ExpressionAttributeValues: {
            ':decided': decision.status,
            ':at': decision.decidedAt,
            ':pending': 'PENDING',
            ':now': now.toISOString(),
            ...(decision.comment !== undefined ? { ':comment': decision.comment } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(out.Attributes ?? {});
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    // Lost a race (double click) or expired in between: re-read to say which.
    const current = await this.get(approvalId);
    if (!current) throw new ApprovalNotFoundError(`approval ${approvalId} not found`);
    assertOpen(current, now);
    throw new ApprovalAlreadyDecidedError(`approval ${approvalId} could not be decided`);
  }

  /**
   * The approval that decided the round of `taskToken` (its claim, then its record), once the
   * record holds the decision; undefined while nobody has.
   */
  async decidedFor(purchaseId: string, taskToken: string): Promise<ApprovalRecord | undefined> {
    const claim = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: decisionKey(purchaseId, taskToken), ConsistentRead: true }));
    const approvalId = claim.Item?.approvalId;
    if (typeof approvalId !== 'string') return undefined;
    const record = await this.get(approvalId);
    return record && isDecided(record) ? record : undefined;
  }

  /** Claims this round for the approval; another approval's claim means someone else decided. */
  private async claimRound(record: ApprovalRecord, claimedAt: string): Promise<void> {
    const key = decisionKey(record.purchaseId, record.taskToken);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          // Only a lock: the decision itself lives on the approval record, so a repeat by the same
          // approval (double click) never rewrites it.
          Item: { ...key, approvalId: record.approvalId, approver: record.approver, purchaseId: record.purchaseId, claimedAt },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const got = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (got.Item?.approvalId !== record.approvalId) {
      throw new ApprovalAlreadyDecidedError(`purchase ${record.purchaseId} was already decided by another approver`);
    }
  }
}

function assertOpen(record: ApprovalRecord, now: Date): void {
  if (record.status === 'APPROVED' || record.status === 'REJECTED') {
    throw new ApprovalAlreadyDecidedError(`approval ${record.approvalId} was already ${record.status.toLowerCase()}`);
  }
  if (record.status === 'EXPIRED' || Date.parse(record.expiresAt) <= now.getTime()) {
    throw new ApprovalExpiredError(`approval ${record.approvalId} expired at ${record.expiresAt}`);
  }
}
