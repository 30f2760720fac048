import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApprovalRound, ApprovalRoundMark, ApprovalRounds } from '../../core/ports';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';
import { approvalRound, decisionKeyOfRound, roundKey, stringList } from './approval-store-items';

/**
 * {@link ApprovalRounds} on the state table:
 *
 *   PURCHASE#<purchaseId> / APPROVAL_ROUND     the latest round: task token, approvers, expiry,
 *                                              summary, which follow-ups were sent, and the
 *                                              quorum (`required`; `approvedBy`, a string set
 *                                              DynamoApprovalStore.tally ADDs to)
 *
 * Not in the purchasesByStatus index (no createdSeq), so the token never reaches a listing. Every
 * follow-up is claimed with one conditional update naming the round, so a mail goes out once even
 * when two runs overlap, and a run that read an older round marks nothing of a newer one.
 */

const PK = STATE_TABLE.partitionKey;
const SK = STATE_TABLE.sortKey;
/** Kept a while after expiry for reference; TTL is only tidy-up. */
const RETAIN_SECONDS = 90 * 24 * 3600;

/** Condition, names and values of one mark (beyond `round = :round`). */
function markExpression(change: ApprovalRoundMark): { update: string; condition: string; values: Record<string, unknown> } {
  switch (change.kind) {
    case 'reminder':
      return { update: 'SET remindersSent = :to', condition: 'remindersSent = :from', values: { ':from': change.from, ':to': change.to } };
    case 'escalation':
      return {
        update: 'SET escalatedAt = :at, escalationApprovers = :who',
        condition: 'attribute_not_exists(escalatedAt)',
        values: { ':at': change.at, ':who': change.approvers },
      };
    case 'resend':
      return {
        update: 'SET resentAt = :at',
        condition: '(attribute_not_exists(resentAt) OR resentAt <= :notBefore)',
        values: { ':at': change.at, ':notBefore': change.notBefore },
      };
  }
}

export class DynamoApprovalRounds implements ApprovalRounds {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Replaces the purchase's previous round; a retried RequestApproval (same task token) keeps the
   * round it already opened, so the follow-ups it has had are not sent again.
   */
  async open(input: Omit<ApprovalRound, 'round' | 'remindersSent'>): Promise<ApprovalRound> {
    const round: ApprovalRound = { ...input, round: approvalRound(input.taskToken), remindersSent: 0 };
    const ttl = Math.floor(Date.parse(round.expiresAt) / 1000) + RETAIN_SECONDS;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...roundKey(round.purchaseId), ...round, [STATE_TABLE.ttlAttribute]: ttl },
          ConditionExpression: 'attribute_not_exists(#pk) OR #round <> :round',
          ExpressionAttributeNames: { '#pk': PK, '#round': 'round' },
          ExpressionAttributeValues: { ':round': round.round },
        }),
      );
      return round;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    return (await this.get(round.purchaseId)) ?? round;
  }

  async get(purchaseId: string): Promise<ApprovalRound | undefined> {
    const got = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: roundKey(purchaseId), ConsistentRead: true }));
    if (!got.Item) return undefined;
    const { [PK]: _pk, [SK]: _sk, [STATE_TABLE.ttlAttribute]: _ttl, approvedBy, ...round } = got.Item;
    // A string set (ADDed by DynamoApprovalStore.tally) comes back as a Set.
    return { ...round, ...(approvedBy !== undefined ? { approvedBy: stringList(approvedBy) } : {}) } as ApprovalRound;
  }

  async decided(round: Pick<ApprovalRound, 'purchaseId' | 'round'>): Promise<boolean> {
    const got = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: decisionKeyOfRound(round.purchaseId, round.round), ConsistentRead: true }),
    );
    return got.Item !== undefined;
  }

  async mark(round: Pick<ApprovalRound, 'purchaseId' | 'round'>, change: ApprovalRoundMark): Promise<boolean> {
    const { update, condition, values } = markExpression(change);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: roundKey(round.purchaseId),
          UpdateExpression: update,
          ConditionExpression: `#round = :round AND ${condition}`,
          ExpressionAttributeNames: { '#round': 'round' },
          ExpressionAttributeValues: { ':round': round.round, ...values },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}
