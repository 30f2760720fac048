import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApprovalAlreadyDecidedError, ApprovalExpiredError, ApprovalNotFoundError } from '../../core/errors';
import type { ApprovalRecord, ApprovalStore, RoundQuorum } from '../../core/ports';
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
 * decide() order for a rejection, or an approval in a round that needs one: check the record,
 * claim the round, then flip the record PENDING -> decided with `#status = PENDING AND
 * expiresAt > now`. The claim comes first so that two approvers can never both end up decided; the
 * claim is keyed to the approval, so a crash between the two steps is finished by the same link
 * being posted again.
 *
 * An approval in a round that needs several (its APPROVAL_ROUND item's `required`; issue #13 part 2):
 * flip the record first, then ADD the approver to the round's `approvedBy` set (atomic, and an
 * approver with several links counts once), and when the set returned holds `required` approvers,
 * claim the round as above. Every approval counted is on its record before it is in the set, so
 * when the claim is taken every counted record says APPROVED (what the money steps verify:
 * core/verify-approval.ts). Of two approvals completing the set at once, one claim wins; a
 * rejection claims too, so a round ends approved or rejected, never both: an approval that loses
 * the claim to a rejection stays on its record, and the rejection is what the money steps see.
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

/** The round item of a purchase (dynamo-approval-rounds.ts owns it; the quorum fields are read and ADDed here). */
function roundKey(purchaseId: string): Record<string, string> {
  return { [PK]: `PURCHASE#${purchaseId}`, [SK]: 'APPROVAL_ROUND' };
}

/** Lower-cased: the same person with differently cased addresses still counts once. */
const person = (approver: string): string => approver.toLowerCase();

const asList = (value: unknown): string[] => (value instanceof Set ? [...value] : Array.isArray(value) ? value : []).filter((v): v is string => typeof v === 'string');

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

    // Only a link minted for a round needing several approvals reads the round (issue #11: calls).
    if (decision.status === 'APPROVED' && (record.required ?? 1) > 1) {
      const quorum = await this.quorum(record);
      if (quorum.required > 1) return this.approveTowardsQuorum(record, quorum, decision, now);
    }
    await this.claimRound(record, decision.decidedAt);
    return this.flip(record, decision, now);
  }

  /** An approval in a round that needs several: flip, count, and claim the round if it completes it. */
  private async approveTowardsQuorum(
    record: ApprovalRecord,
    quorum: RoundQuorum,
    decision: { status: 'APPROVED' | 'REJECTED'; decidedAt: string; comment?: string },
    now: Date,
  ): Promise<ApprovalRecord> {
    if (quorum.decidedBy !== undefined && quorum.decidedBy !== record.approvalId) {
      throw new ApprovalAlreadyDecidedError(`purchase ${record.purchaseId} was already decided by another approver`);
    }
    if (quorum.approvedBy.includes(person(record.approver))) {
      throw new ApprovalAlreadyDecidedError(`${record.approver} already approved purchase ${record.purchaseId} through another link`);
    }
    const decided = await this.flip(record, decision, now);
    await this.tally(decided);
    return decided;
  }

  /** PENDING -> decided, conditionally; a lost race says whether it expired or was decided. */
  private async flip(
    record: ApprovalRecord,
    decision: { status: 'APPROVED' | 'REJECTED'; decidedAt: string; comment?: string },
    now: Date,
  ): Promise<ApprovalRecord> {
    const approvalId = record.approvalId;

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

  async quorum(record: ApprovalRecord): Promise<RoundQuorum> {
    const round = approvalRound(record.taskToken);
    const [item, claim] = await Promise.all([
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: roundKey(record.purchaseId), ConsistentRead: true })),
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: decisionKeyOfRound(record.purchaseId, round), ConsistentRead: true })),
    ]);
    return quorumOf(record, item.Item, claim.Item);
  }

  async tally(record: ApprovalRecord): Promise<RoundQuorum> {
    if (record.status !== 'APPROVED') throw new Error(`approval ${record.approvalId} is ${record.status}: only an approval is counted`);
    const round = approvalRound(record.taskToken);
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: roundKey(record.purchaseId),
          UpdateExpression: 'ADD approvedBy :who',
          // Only the round this link belongs to: a newer round (a re-quote) is not counted into.
          ConditionExpression: '#round = :round',
          ExpressionAttributeNames: { '#round': 'round' },
          ExpressionAttributeValues: { ':who': new Set([person(record.approver)]), ':round': round },
          ReturnValues: 'ALL_NEW',
        }),
      );
      item = out.Attributes;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      // The round was replaced: this approval belongs to a round nobody waits for any more.
      return this.quorum(record);
    }
    const counted = quorumOf(record, item, undefined);
    if (counted.approvedBy.length >= counted.required) {
      try {
        await this.claimRound(record, record.decidedAt ?? new Date().toISOString());
      } catch (err) {
        if (!(err instanceof ApprovalAlreadyDecidedError)) throw err;
      }
    }
    return this.quorum(record);
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

/** The quorum of `record`'s round from its round item and claim (a missing or newer round item: one approval, as before quorums). */
function quorumOf(record: ApprovalRecord, item: Record<string, unknown> | undefined, claim: Record<string, unknown> | undefined): RoundQuorum {
  const same = item?.round === approvalRound(record.taskToken);
  const required = same && typeof item?.required === 'number' ? item.required : 1;
  const asked = same ? [...new Set([...asList(item?.approvers), ...asList(item?.escalationApprovers)])] : [record.approver];
  const decidedBy = typeof claim?.approvalId === 'string' ? claim.approvalId : undefined;
  return { required, approvedBy: same ? asList(item?.approvedBy) : [], asked, ...(decidedBy !== undefined ? { decidedBy } : {}) };
}
