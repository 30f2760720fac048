import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { DynaliteAnswer, DynaliteCall } from './dynalite-calls';
import { cancellation, DYNAMO_ERROR, itemId, keyOf, OngoingItems, WRITE_OPERATION, type WriteAction } from './dynamo-conflicts';
import { writeFilePrivateSynced } from './private-files';

/**
 * TransactWriteItems for the local DynamoDB, which dynalite lacks (shared notes G4): DynamoDB's
 * all-or-nothing write of up to 100 Put, Update and Delete actions on distinct items, each with its
 * own condition (API_TransactWriteItems). The front runs a transaction alone (dynamo-front.ts
 * lets no other request reach dynalite meanwhile), so applying the actions one by one is
 * isolated; each item's condition sees the item as it was before the transaction, because no two
 * actions may name one item. Every action is applied, so every condition is evaluated; if any
 * condition fails the applied ones are put back as they were and the answer is DynamoDB's
 * `TransactionCanceledException` with one `CancellationReasons` entry per action (`None` or
 * `ConditionalCheckFailed`). Any other error of an action (a bad expression) puts everything back
 * and is answered as it came.
 *
 * With a data folder, the items as they were are written to an intent file (fsync'd) before the
 * first action and removed after the last: a runtime killed in between puts them back when it
 * starts again ({@link LocalTransactions.recover}), so a transaction is never left half-applied.
 * `ClientRequestToken` makes a repeat a no-op for 10 minutes, as on DynamoDB (the SDK sends one
 * and reuses it when it retries): the same token with other actions is an
 * `IdempotentParameterMismatchException`. Tokens are kept in memory. Not supported locally:
 * `ConditionCheck` actions (the workflow writes none) and `ReturnValuesOnConditionCheckFailure`.
 */
export class LocalTransactions {
  /**
   * Why the store must not be used any more: a transaction could not be put back, so reads would
   * see it half-applied. With a data folder its note stays, and the next start puts it back
   * before anything else is read or written.
   */
  broken: string | undefined;
  private readonly keyNames = new Map<string, string[]>();
  /** The items of the transaction being applied, which other writes must not meet (the front asks). */
  readonly ongoing = new OngoingItems((table) => this.keyNames.get(table));
  private readonly tokens = new Map<string, { hash: string; expiresAt: number }>();

  constructor(private readonly intentFile?: string) {}

  /** Puts back the items of a transaction the process died in; how many were put back. */
  async recover(call: DynaliteCall): Promise<number> {
    if (!this.intentFile) return 0;
    let text: string;
    try {
      text = readFileSync(this.intentFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let images: BeforeImage[] = [];
    try {
      images = (JSON.parse(text) as { before: BeforeImage[] }).before;
    } catch {
      // A torn intent file: the process died writing it, before the first action.
    }
    await this.restore(call, images);
    rmSync(this.intentFile, { force: true });
    return images.length;
  }

  async write(body: Buffer, call: DynaliteCall): Promise<DynaliteAnswer> {
    // Checked once admitted: one that could not be put back may have failed while this one waited.
    if (this.broken) return answer(500, `${DYNAMO_ERROR}InternalServerError`, `an earlier transaction could not be put back (${this.broken})`);
    let request: { TransactItems?: unknown; ClientRequestToken?: unknown };
    try {
      request = JSON.parse(body.toString('utf8')) as typeof request;
    } catch {
      return answer(400, 'com.amazon.coral.service#SerializationException', 'the request body is not JSON');
    }
    const actions = await this.actionsOf(request.TransactItems, call);
    if (!Array.isArray(actions)) return actions;
    const token = typeof request.ClientRequestToken === 'string' ? request.ClientRequestToken : undefined;
    const hash = token === undefined ? '' : createHash('sha256').update(JSON.stringify(request.TransactItems)).digest('hex');
    if (token !== undefined) {
      const seen = this.tokens.get(token);
      if (seen && seen.expiresAt > Date.now()) {
        if (seen.hash === hash) return { status: 200, body: {} };
        return answer(400, `${DYNAMO_ERROR}IdempotentParameterMismatchException`, 'the ClientRequestToken was used with other actions');
      }
    }
    // From here until it ends, a write that meets one of its items is refused, as on DynamoDB.
    this.ongoing.begin(
      actions.map((a) => itemId(a.table, a.key)),
      token,
    );
    try {
      return await this.apply(actions, call, token === undefined ? undefined : { token, hash });
    } finally {
      this.ongoing.end();
    }
  }

  /** Applies the actions, all or none; a token given is remembered once they are applied. */
  private async apply(actions: readonly Action[], call: DynaliteCall, repeat: { token: string; hash: string } | undefined): Promise<DynaliteAnswer> {
    const before: BeforeImage[] = [];
    for (const a of actions) {
      const got = await safely(call, 'GetItem', { TableName: a.table, Key: a.key, ConsistentRead: true });
      if (got.status !== 200) return got;
      before.push({ table: a.table, key: a.key, ...(got.body.Item ? { item: got.body.Item as Record<string, unknown> } : {}) });
    }
    this.writeIntent(before);
    const results: DynaliteAnswer[] = [];
    for (const a of actions) results.push(await safely(call, WRITE_OPERATION[a.kind], a.input));
    const failed = results.some((r) => r.status !== 200);
    if (failed) {
      try {
        // An action that threw may have been applied: it is put back too.
        await this.restore(
          call,
          before.filter((_, i) => results[i]!.status === 200 || results[i]!.status === THREW),
        );
      } catch (err) {
        this.broken = (err as Error).message;
        throw err;
      }
    }
    this.clearIntent();
    if (!failed) {
      if (repeat) this.remember(repeat.token, repeat.hash);
      return { status: 200, body: {} };
    }
    const other = results.find((r) => r.status !== 200 && !isConditionFailure(r));
    if (other) return other;
    return cancellation(
      results.map((r) => (r.status === 200 ? { Code: 'None' } : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' })),
    );
  }

  /** The actions of `items` with their tables and keys, or the answer refusing them. */
  private async actionsOf(items: unknown, call: DynaliteCall): Promise<Action[] | DynaliteAnswer> {
    if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ACTIONS) {
      return validation(
        `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and ${MAX_ACTIONS}`,
      );
    }
    const actions: Action[] = [];
    const seen = new Set<string>();
    for (const item of items as Array<Record<string, unknown>>) {
      const kinds = Object.keys(item ?? {}).filter((k) => item[k] !== undefined && item[k] !== null);
      const kind = kinds[0] as WriteAction | 'ConditionCheck' | undefined;
      if (kind === 'ConditionCheck') return validation('ConditionCheck is not supported by the local DynamoDB');
      if (kinds.length !== 1 || !kind || !Object.hasOwn(WRITE_OPERATION, kind)) {
        return validation('each TransactItem must hold exactly one of Put, Update or Delete');
      }
      const input = { ...(item[kind] as Record<string, unknown>) };
      delete input.ReturnValuesOnConditionCheckFailure;
      const table = input.TableName;
      if (typeof table !== 'string') return validation('each action needs a TableName');
      // Known for every table a transaction names: a plain Put meeting it is told by them (dynamo-conflicts.ts).
      const names = await this.keyNamesOf(table, call);
      if (!Array.isArray(names)) return names;
      let key = input.Key as Record<string, unknown> | undefined;
      if (kind === 'Put') {
        key = keyOf(names, (input.Item ?? {}) as Record<string, unknown>);
      }
      if (!key || typeof key !== 'object') return validation('each Update and Delete action needs a Key');
      const id = itemId(table, key);
      if (seen.has(id)) return validation('Transaction request cannot include multiple operations on one item');
      seen.add(id);
      actions.push({ kind, input, table, key });
    }
    return actions;
  }

  private async keyNamesOf(table: string, call: DynaliteCall): Promise<string[] | DynaliteAnswer> {
    const known = this.keyNames.get(table);
    if (known) return known;
    const described = await call('DescribeTable', { TableName: table });
    if (described.status !== 200) return described;
    const schema = ((described.body.Table as { KeySchema?: Array<{ AttributeName: string }> } | undefined)?.KeySchema ?? []).map((k) => k.AttributeName);
    this.keyNames.set(table, schema);
    return schema;
  }

  /** Puts each item back as it was (absent ones deleted), last first. */
  private async restore(call: DynaliteCall, images: readonly BeforeImage[]): Promise<void> {
    for (const b of [...images].reverse()) {
      const done = b.item ? await call('PutItem', { TableName: b.table, Item: b.item }) : await call('DeleteItem', { TableName: b.table, Key: b.key });
      if (done.status !== 200) throw new Error(`local DynamoDB could not undo a transaction on ${b.table}: ${String(done.body.message ?? done.body.__type)}`);
    }
  }

  private writeIntent(before: readonly BeforeImage[]): void {
    if (this.intentFile) writeFilePrivateSynced(this.intentFile, JSON.stringify({ before }));
  }

  private clearIntent(): void {
    if (this.intentFile) rmSync(this.intentFile, { force: true });
  }

  private remember(token: string, hash: string): void {
    const now = Date.now();
    for (const [t, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(t);
    this.tokens.set(token, { hash, expiresAt: now + TOKEN_TTL_MS });
  }
}

interface Action {
  kind: WriteAction;
  input: Record<string, unknown>;
  table: string;
  key: Record<string, unknown>;
}

/** An item as it was before a transaction: `item` absent when there was none. */
interface BeforeImage {
  table: string;
  key: Record<string, unknown>;
  item?: Record<string, unknown>;
}

const MAX_ACTIONS = 100;
/** How long DynamoDB keeps a ClientRequestToken (API_TransactWriteItems). */
const TOKEN_TTL_MS = 10 * 60_000;

/** The status of an answer made up for a call that threw instead of answering. */
const THREW = 500;

/** `call`'s answer, or a 500 InternalFailure when dynalite threw instead of answering. */
async function safely(call: DynaliteCall, operation: string, input: Record<string, unknown>): Promise<DynaliteAnswer> {
  try {
    return await call(operation, input);
  } catch (err) {
    return answer(THREW, 'com.amazon.coral.service#InternalFailure', `local DynamoDB failed: ${(err as Error).message}`);
  }
}

function isConditionFailure(a: DynaliteAnswer): boolean {
  return String(a.body.__type ?? '').endsWith('#ConditionalCheckFailedException');
}

function answer(status: number, type: string, message: string): DynaliteAnswer {
  return { status, body: { __type: type, message } };
}

function validation(message: string): DynaliteAnswer {
  return answer(400, `${DYNAMO_ERROR}ValidationException`, message);
}
