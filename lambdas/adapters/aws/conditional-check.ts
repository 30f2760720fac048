/**
 * True when a DynamoDB call was refused by its ConditionExpression. Adapters use conditional writes
 * as their only concurrency control (dynalite has no transactions), so telling this refusal apart
 * from a real failure is what keeps them correct.
 */
export function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}
