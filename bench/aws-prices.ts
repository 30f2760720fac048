/**
 * What a purchase would cost on AWS at list prices (us-east-1), from what the local runtime
 * counted: Standard Step Functions transitions, Lambda requests and duration (arm64, at each
 * function's configured memory), and DynamoDB on-demand request units. SES, EventBridge and API
 * Gateway are left out (a few calls per purchase at most, each well under the figures below).
 */

export const AWS_LIST_PRICES = {
  /** Step Functions Standard, per state transition. */
  stepFunctionsTransition: 0.000025,
  /** Lambda, per request ($0.20 per million). */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda on arm64, per GB-second of billed duration. */
  lambdaArmGbSecond: 0.0000133334,
  /** DynamoDB on-demand, per write request unit ($0.625 per million). */
  dynamoWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit ($0.125 per million). */
  dynamoReadUnit: 0.125 / 1e6,
} as const;

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/**
 * Request units of some DynamoDB calls, approximated as one unit per item a call reads or writes
 * (one per call, one per item of a batch), two per item of a transaction (DynamoDB bills a
 * transactional write twice: "Amazon DynamoDB pricing", on-demand). DynamoDB bills more for items over 1 KB (writes) or
 * 4 KB (reads), and half a unit for an eventually consistent read; procure's items are small.
 * Table and other control-plane calls are free.
 */
export function requestUnits(calls: ReadonlyArray<{ operation: string; items: number }>): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const c of calls) {
    if (c.operation === 'TransactWriteItems') write += 2 * c.items;
    else if (WRITES.has(c.operation)) write += c.items;
    else if (READS.has(c.operation)) read += c.items;
  }
  return { read, write };
}

/** Lambda bills each invocation's duration rounded up to the next millisecond. */
export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export interface PathUsage {
  transitions: number;
  /** Each invocation's memory and duration (handler start to end). */
  invocations: ReadonlyArray<{ memoryMb: number; durationMs: number }>;
  readUnits: number;
  writeUnits: number;
}

export interface PathCost {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamo: number;
  total: number;
}

/** The list-price cost of one purchase's usage, in USD, by service. */
export function costOf(usage: PathUsage, prices: typeof AWS_LIST_PRICES = AWS_LIST_PRICES): PathCost {
  const stepFunctions = usage.transitions * prices.stepFunctionsTransition;
  const lambdaRequests = usage.invocations.length * prices.lambdaRequest;
  const gbSeconds = usage.invocations.reduce((sum, i) => sum + (i.memoryMb / 1024) * (billedMs(i.durationMs) / 1000), 0);
  const lambdaDuration = gbSeconds * prices.lambdaArmGbSecond;
  const dynamo = usage.writeUnits * prices.dynamoWriteUnit + usage.readUnits * prices.dynamoReadUnit;
  return { stepFunctions, lambdaRequests, lambdaDuration, dynamo, total: stepFunctions + lambdaRequests + lambdaDuration + dynamo };
}
