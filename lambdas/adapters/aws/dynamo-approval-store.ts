import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApprovalAlreadyDecidedError, ApprovalNotFoundError } from '../../core/errors';
import type { ApprovalRecord, ApprovalStore, DecidedRecord, RoundQuorum } from '../../core/ports';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';
import { isDecided } from '../../core/approval-decision';
import { personOf } from '../../core/approval-policy';
import { approvalKey, approvalRound, assertOpen, decisionKey, decisionKeyOfRound, quorumOf, roundKey, toRecord } from './approval-store-items';

// The keys and the pure readings of records and rounds live in approval-store-items.ts.

/**
 * {@link ApprovalStore} on the state table, transaction-free:
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
/** Decided and expired records are kept this long after expiry for reference; TTL is only tidy-up. */
const RETAIN_SECONDS = 90 * 24 * 3600;

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
    const got = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: approvalKey(approvalId), ConsistentRead: true }));
    return got.Item ? toRecord(got.Item) : undefined;
  }

  /**
   * Single-use decision. Throws ApprovalNotFoundError, ApprovalAlreadyDecidedError (this link was
   * used, or another approver decided this round) or ApprovalExpiredError; nothing changes then.
   */
  async decide(approvalId: string, decision: { status: 'APPROVED' | 'REJECTED'; decidedAt: string; comment?: string }, now: Date): Promise<DecidedRecord> {
    const record = await this.get(approvalId);
    if (!record) throw new ApprovalNotFoundError(`approval ${approvalId} not found`);
    assertOpen(record, now);

    // The round item, not the link, says how many approvals it needs: a link minted without the
    // count (older code, another minting path) must not decide a round that needs several.
    let round: Record<string, unknown> | undefined;
    if (decision.status === 'APPROVED') {
      round = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: roundKey(record.purchaseId), ConsistentRead: true }))).Item;
      if (quorumOf(record, round, undefined).required > 1) {
        const claim = await this.doc.send(
          new GetCommand({ TableName: this.tableName, Key: decisionKey(record.purchaseId, record.taskToken), ConsistentRead: true }),
        );
        return this.approveTowardsQuorum(record, quorumOf(record, round, claim.Item), { ...decision, status: 'APPROVED' }, now);
      }
    }
    await this.claimRound(record, decision.decidedAt, decision.status);
    try {
      const decided = await this.flip(record, decision, now);
      // An approval that needs no one else decided its round by itself: its quorum is one, by this link.
      return decision.status === 'APPROVED' ? { ...decided, quorum: quorumOf(record, round, { approvalId: record.approvalId }) } : decided;
    } catch (err) {
      if (err instanceof ApprovalAlreadyDecidedError) {
        const current = await this.get(record.approvalId);
        if (current && isDecided(current) && current.status !== decision.status) await this.releaseClaim(record, decision.status);
      }
      throw err;
    }
  }

  /** An approval in a round that needs several: flip, count, and claim the round if it completes it. */
  private async approveTowardsQuorum(
    record: ApprovalRecord,
    quorum: RoundQuorum,
    decision: { status: 'APPROVED'; decidedAt: string; comment?: string },
    now: Date,
  ): Promise<DecidedRecord> {
    // Any claim means the round is decided: an approval short of the quorum never claims before
    // its record says APPROVED, so a claim by this very link is a rejection through it (two tabs),
    // which must not turn into an approval that counts alone.
    if (quorum.decidedBy !== undefined) {
      throw new ApprovalAlreadyDecidedError(`purchase ${record.purchaseId} was already decided`);
    }
    if (quorum.approvedBy.includes(personOf(record.approver))) {
      throw new ApprovalAlreadyDecidedError(`${record.approver} already approved purchase ${record.purchaseId} through another link`);
    }
    const decided = await this.flip(record, decision, now);
    return { ...decided, quorum: await this.tally(decided) };
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
            decision.comment !== undefined ? 'SET #status = :decided, decidedAt = :at, #comment = :comment' : 'SET #status = :decided, decidedAt = :at',
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
          ExpressionAttributeValues: { ':who': new Set([personOf(record.approver)]), ':round': round },
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
        await this.claimRound(record, record.decidedAt ?? record.createdAt, 'APPROVED');
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
    // A claim names its decision: a record that ended the other way (two tabs) did not decide the round.
    const claimed = claim.Item?.decision;
    return record && isDecided(record) && (claimed === undefined || claimed === record.status) ? record : undefined;
  }

  /** Claims this round for the approval; another approval's claim means someone else decided. */
  private async claimRound(record: ApprovalRecord, claimedAt: string, decision: 'APPROVED' | 'REJECTED'): Promise<void> {
    const key = decisionKey(record.purchaseId, record.taskToken);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          // A lock naming the approval and the decision it claims for: the decision itself lives on
          // the approval record, so a repeat by the same approval (double click) never rewrites it,
          // and the other decision through the same link (a second tab) cannot take the claim.
          Item: { ...key, approvalId: record.approvalId, approver: record.approver, purchaseId: record.purchaseId, claimedAt, decision },
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
    // Claims written before they named a decision are taken as this approval's.
    if (got.Item.decision !== undefined && got.Item.decision !== decision) {
      throw new ApprovalAlreadyDecidedError(`approval ${record.approvalId} is being decided the other way`);
    }
  }

  /**
   * Gives back a claim whose approval ended with the other decision (its record was flipped by the
   * other tab's request first): the round is then not decided, and others can still decide it.
   */
  private async releaseClaim(record: ApprovalRecord, decision: 'APPROVED' | 'REJECTED'): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: decisionKey(record.purchaseId, record.taskToken),
          ConditionExpression: 'approvalId = :id AND #decision = :decision',
          ExpressionAttributeNames: { '#decision': 'decision' },
          ExpressionAttributeValues: { ':id': record.approvalId, ':decision': decision },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }
}
