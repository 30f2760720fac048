import type { DynaliteAnswer } from './dynalite-calls';

/**
 * The items of the transaction the local DynamoDB is applying (dynamo-transactions.ts), and
 * DynamoDB's answer to a write that meets one of them ("Transaction conflict handling in
 * DynamoDB"): a PutItem, UpdateItem or DeleteItem fails with TransactionConflictException, and a
 * TransactWriteItems is cancelled with reason `TransactionConflict` for each of its actions on
 * such an item (`None` for the others); the same transaction sent again while it is applied (its
 * ClientRequestToken) is a TransactionInProgressException. Nothing of a refused request is
 * written. Any other request, and a write to other items, waits its turn as before (the front runs
 * a transaction alone). Without this a burst would never meet the contention AWS shows, and
 * nothing locally would try the code that retries it. Not emulated: a write that arrives before
 * the transaction's items are known (while it waits for the requests handed over before it) waits
 * instead of being refused, and BatchWriteItem and reads always wait.
 */
export class OngoingItems {
  private ids: ReadonlySet<string> | undefined;
  private token: string | undefined;

  /** `keyNames`: a table's key attribute names, when known (a Put names its item only through them). */
  constructor(private readonly keyNames: (table: string) => readonly string[] | undefined) {}

  /** A transaction on these items (sent with ClientRequestToken `token`, if any) is being applied. */
  begin(ids: Iterable<string>, token?: string): void {
    this.ids = new Set(ids);
    this.token = token;
  }

  /** It ended (applied, cancelled or put back). */
  end(): void {
    this.ids = undefined;
    this.token = undefined;
  }

  /** DynamoDB's refusal of the request `target` with `body`, when it writes an item of the transaction being applied. */
  conflictOf(target: string | string[] | undefined, body: Buffer): DynaliteAnswer | undefined {
    const ids = this.ids;
    if (!ids || typeof target !== 'string') return undefined;
    const operation = target.slice(target.indexOf('.') + 1);
    if (operation !== 'TransactWriteItems' && !Object.hasOwn(ACTION_BY_WRITE, operation)) return undefined; // reads wait their turn
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined; // answered as malformed in its turn
    }
    if (operation === 'TransactWriteItems') {
      // The same request again (an SDK retry) while the first is applied: DynamoDB says so, and a retry then gets its outcome.
      if (this.token !== undefined && request.ClientRequestToken === this.token) {
        return conflictAnswer('TransactionInProgressException', { Message: 'The transaction with the given request token is already in progress.' });
      }
      const items = Array.isArray(request.TransactItems) ? (request.TransactItems as Array<Record<string, unknown> | null>) : [];
      const meets = items.map((item) => {
        const kind = Object.keys(item ?? {}).find((k) => Object.hasOwn(WRITE_OPERATION, k)) as WriteAction | undefined;
        const id = kind ? this.idOf(kind, item![kind] as Record<string, unknown>) : undefined;
        return id !== undefined && ids.has(id);
      });
      if (!meets.includes(true)) return undefined;
      return cancellation(meets.map((m) => (m ? { Code: 'TransactionConflict', Message: ONGOING } : { Code: 'None' })));
    }
    const id = this.idOf(ACTION_BY_WRITE[operation]!, request);
    return id !== undefined && ids.has(id) ? conflictAnswer('TransactionConflictException', { message: ONGOING }) : undefined;
  }

  /** The id of the item a write names, when it can be told (a Put's key needs its table's key names). */
  private idOf(kind: WriteAction, input: Record<string, unknown> | undefined): string | undefined {
    const table = input?.TableName;
    if (typeof table !== 'string') return undefined;
    if (kind !== 'Put') return isObject(input!.Key) ? itemId(table, input!.Key) : undefined;
    const names = this.keyNames(table);
    if (!names || !isObject(input!.Item)) return undefined;
    return itemId(table, keyOf(names, input!.Item));
  }
}

/** One id per item of a table, whatever the order of its key's attributes. */
export function itemId(table: string, key: Record<string, unknown>): string {
  return `${table}\u0000${JSON.stringify(
    Object.keys(key)
      .sort()
      .map((k) => [k, key[k]]),
  )}`;
}

/** A Put's key: its item's values of the table's key attributes. */
export function keyOf(names: readonly string[], item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(names.map((n) => [n, item[n]]));
}

/** DynamoDB's answer cancelling a transaction, one reason per action. */
export function cancellation(reasons: ReadonlyArray<{ Code: string; Message?: string }>): DynaliteAnswer {
  // DynamoDB's model names this one's text `Message`.
  return conflictAnswer('TransactionCanceledException', {
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    CancellationReasons: reasons,
  });
}

/** The prefix of DynamoDB's error types. */
export const DYNAMO_ERROR = 'com.amazonaws.dynamodb.v20120810#';

/** A transaction's write actions, and the operation each one is. */
export const WRITE_OPERATION = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' } as const;
export type WriteAction = keyof typeof WRITE_OPERATION;
const ACTION_BY_WRITE = Object.fromEntries(Object.entries(WRITE_OPERATION).map(([action, operation]) => [operation, action])) as Record<string, WriteAction>;

const ONGOING = 'Transaction is ongoing for the item';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** DynamoDB's 400 answer of `type`, with the body members its model gives it (`Message` or `message`). */
function conflictAnswer(type: string, members: Record<string, unknown>): DynaliteAnswer {
  return { status: 400, body: { __type: `${DYNAMO_ERROR}${type}`, ...members } };
}
