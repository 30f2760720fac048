import { createHash } from 'node:crypto';
import { ApprovalAlreadyDecidedError, ApprovalExpiredError } from '../../core/errors';
import type { ApprovalRecord, RoundQuorum } from '../../core/ports';
import { STATE_TABLE } from '../../shared/table-keys';

// The approval store's items on the state table (dynamo-approval-store.ts): their keys, the round id
// of a task token, and the pure readings of a record and a round (whether a record is still open,
// a round's quorum). dynamo-approval-rounds.ts shares the round keys and readings.

const PK = STATE_TABLE.partitionKey;
const SK = STATE_TABLE.sortKey;

/** The key of an approval's record. */
export function approvalKey(approvalId: string): Record<string, string> {
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

/** The claim of the round a task token belongs to. */
export function decisionKey(purchaseId: string, taskToken: string): Record<string, string> {
  return decisionKeyOfRound(purchaseId, approvalRound(taskToken));
}

/** The round item of a purchase (dynamo-approval-rounds.ts owns it; dynamo-approval-store.ts reads and ADDs its quorum fields). */
export function roundKey(purchaseId: string): Record<string, string> {
  return { [PK]: `PURCHASE#${purchaseId}`, [SK]: 'APPROVAL_ROUND' };
}

/** A list attribute, or a string set (which the document client reads as a Set), as strings. */
export function stringList(value: unknown): string[] {
  return (value instanceof Set ? [...value] : Array.isArray(value) ? value : []).filter((v): v is string => typeof v === 'string');
}

/** An approval record as stored, without the table's key and TTL attributes. */
export function toRecord(item: Record<string, unknown>): ApprovalRecord {
  const { [PK]: _pk, [SK]: _sk, [STATE_TABLE.ttlAttribute]: _ttl, ...rest } = item;
  return rest as unknown as ApprovalRecord;
}

/** Throws ApprovalAlreadyDecidedError or ApprovalExpiredError unless the record can still be decided at `now`. */
export function assertOpen(record: ApprovalRecord, now: Date): void {
  if (record.status === 'APPROVED' || record.status === 'REJECTED') {
    throw new ApprovalAlreadyDecidedError(`approval ${record.approvalId} was already ${record.status.toLowerCase()}`);
  }
  if (record.status === 'EXPIRED' || Date.parse(record.expiresAt) <= now.getTime()) {
    throw new ApprovalExpiredError(`approval ${record.approvalId} expired at ${record.expiresAt}`);
  }
}

/**
 * The quorum of `record`'s round from its round item and claim. No round item (rounds opened before
 * quorums existed): one approval decides. A round item of another round: this link's round was
 * replaced (a re-quote asked again), so it decides nothing any more.
 */
export function quorumOf(record: ApprovalRecord, item: Record<string, unknown> | undefined, claim: Record<string, unknown> | undefined): RoundQuorum {
  const same = item?.round === approvalRound(record.taskToken);
  const replaced = item !== undefined && !same;
  const required = same && typeof item?.required === 'number' ? item.required : (record.required ?? 1);
  const asked = same ? [...new Set([...stringList(item?.approvers), ...stringList(item?.escalationApprovers)])] : [record.approver];
  const decidedBy = typeof claim?.approvalId === 'string' ? claim.approvalId : undefined;
  return {
    required,
    // A string set has no order: sorted, so pages, audit entries and the decision read the same.
    approvedBy: same ? stringList(item?.approvedBy).sort() : [],
    asked,
    ...(decidedBy !== undefined ? { decidedBy } : {}),
    ...(replaced ? { replaced: true } : {}),
  };
}
