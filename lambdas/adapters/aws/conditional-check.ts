import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { StoreContendedError } from '../../core/errors';
import { isContention } from '../../shared/aws-clients/dynamodb';
/**
 * True when a DynamoDB call was refused by its ConditionExpression. Adapters use conditional writes
 * as their concurrency control (a step's status and audit entry go in one transaction:
 * dynamo-step-journal.ts), so telling this refusal apart from a real failure keeps them correct.
 */
export function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * Sends a conditional write: its output when the condition held and the write was applied,
 * undefined when DynamoDB refused it by its ConditionExpression; any other failure is thrown.
 */
export async function whenConditionHolds<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return undefined;
    throw err;
  }
}

/**
 * Sends a transaction: undefined when it was applied, else, when DynamoDB cancelled it because
 * conditions failed, one flag per action saying whether its condition failed. A cancellation by
 * concurrent writes alone, which the SDK's retries did not outlast, is a StoreContendedError;
 * any other failure is thrown as it is.
 */
export async function failedConditions(write: Promise<unknown>): Promise<boolean[] | undefined> {
  try {
    await write;
    return undefined;
  } catch (err) {
    if (!(err instanceof TransactionCanceledException)) throw err;
    const failed = (err.CancellationReasons ?? []).map((r) => r.Code === 'ConditionalCheckFailed');
    if (failed.includes(true)) return failed;
    if (isContention(err)) throw new StoreContendedError(`a transaction was cancelled by concurrent writes: ${err.message}`);
    throw err;
  }
}
