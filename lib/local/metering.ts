/**
 * What the local runtime can report about the work it does, for measuring (`npm run bench -- paths`):
 * every DynamoDB request its front passed on, and every Lambda invocation its host ran. Listeners
 * only observe; nothing here changes what a request or an invocation does. Times are
 * `performance.now()` of the runtime's process, so the two kinds of record can be laid side by side.
 */

/** One DynamoDB request that passed the front's signature check (what DynamoDB would bill). */
export interface DynamoCall {
  /** The operation from `X-Amz-Target` (`GetItem`, `Query`, ...), or `unknown`. */
  operation: string;
  /** Tables named in the request (`TableName`, or the keys of a batch's `RequestItems`). */
  tables: string[];
  /** Items a batch asks for or writes; 1 for any other operation. */
  items: number;
  /** When the front received it. */
  at: number;
  /**
   * The front's number for the TCP connection it came on. A connection carries one client's
   * requests, so every call on it comes from one execution environment (one worker thread).
   */
  connection: number;
}

/** One settled Lambda invocation. */
export interface InvocationRecord {
  logicalId: string;
  constructId: string;
  memoryMb: number;
  /** The invocation started a new execution environment (its code loaded first). */
  cold: boolean;
  /** The host accepted the invocation. */
  acceptedAt: number;
  /** The handler started (after the init phase on a cold start). */
  startedAt: number;
  /** The invocation settled (result, error or timeout). */
  endedAt: number;
  ok: boolean;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';

/**
 * Reads a DynamoDB request's operation, tables and item count from its `X-Amz-Target` header and
 * JSON body. A body that is not JSON still counts as a call, naming no table.
 */
export function dynamoCallOf(target: string | string[] | undefined, body: Buffer | string, at: number): Omit<DynamoCall, 'connection'> {
  const header = Array.isArray(target) ? target[0] : target;
  const operation = header?.startsWith(TARGET_PREFIX) ? header.slice(TARGET_PREFIX.length) : 'unknown';
  let parsed: { TableName?: unknown; RequestItems?: unknown; TransactItems?: unknown } = {};
  try {
    const value: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    if (value && typeof value === 'object') parsed = value as typeof parsed;
  } catch {
    // Counted all the same; DynamoDB answers such a request with a serialization error.
  }
  if (parsed.RequestItems && typeof parsed.RequestItems === 'object') {
    const batch = parsed.RequestItems as Record<string, unknown>;
    let items = 0;
    for (const entry of Object.values(batch)) {
      // BatchWriteItem: an array of requests; BatchGetItem: { Keys: [...] }.
      if (Array.isArray(entry)) items += entry.length;
      else if (entry && typeof entry === 'object' && Array.isArray((entry as { Keys?: unknown }).Keys)) items += (entry as { Keys: unknown[] }).Keys.length;
    }
    return { operation, tables: Object.keys(batch), items, at };
  }
  if (Array.isArray(parsed.TransactItems)) {
    // TransactWriteItems: each entry holds one action ({ Put | Update | Delete | ConditionCheck: { TableName, ... } }).
    const tables = parsed.TransactItems.flatMap((entry) =>
      entry && typeof entry === 'object' ? Object.values(entry as Record<string, { TableName?: unknown }>).map((a) => a?.TableName) : [],
    );
    return { operation, tables: [...new Set(tables.filter((t): t is string => typeof t === 'string'))], items: parsed.TransactItems.length, at };
  }
  return { operation, tables: typeof parsed.TableName === 'string' ? [parsed.TableName] : [], items: 1, at };
}
