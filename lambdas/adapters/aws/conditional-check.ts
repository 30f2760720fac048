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
