import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One module per AWS SDK client, so a function's bundle requires only the SDK packages it calls
 * (an import of an external package is kept by the bundler even when nothing uses it). Each client
 * is created lazily once per cold start (HOUSE-STYLE "Code") and shared by every adapter in the
 * process. Each is a plain `new XClient({})`: region, credentials and
 * `AWS_ENDPOINT_URL_<SERVICE>` come from the environment, which is how the local runtime points
 * them at its loopback facades without any code path of its own.
 */

let doc: DynamoDBDocumentClient | undefined;

/** DynamoDB document client; `removeUndefinedValues` so optional fields can be passed as undefined. */
export function documentClient(): DynamoDBDocumentClient {
  doc ??= documentClientFor(new DynamoDBClient({}));
  return doc;
}

/** The document client procure's adapters expect, over `client` (tests pass one of their own). */
export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  retryTransactionContention(client);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * A step's status and audit entry are one transaction (adapters/aws/dynamo-step-journal.ts). On
 * DynamoDB a plain write that meets a transaction on the same item fails with
 * TransactionConflictException, and a transaction that meets another write, or is throttled, is
 * cancelled with reason TransactionConflict, ThrottlingError or ProvisionedThroughputExceeded;
 * the SDK retries none of them ("Transaction conflict handling in DynamoDB"). Marked retryable,
 * they get the SDK's own retries with backoff: throttling with its throttling backoff, a conflict
 * (which lasts as long as the other transaction, milliseconds) with its shorter transient one. A
 * cancellation that names a failed condition is an answer, never retried. The local DynamoDB
 * refuses such writes as DynamoDB does (lib/local/dynamo-conflicts.ts).
 */
function retryTransactionContention(client: DynamoDBClient): void {
  if (client.middlewareStack.identify().some((m) => m.startsWith(CONTENTION_MIDDLEWARE))) return;
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const contention = contentionOf(err);
        if (contention) Object.assign(err as object, { $retryable: contention === 'throttling' ? { throttling: true } : {} });
        throw err;
      }
    },
    { step: 'deserialize', priority: 'high', name: CONTENTION_MIDDLEWARE },
  );
}

const CONTENTION_MIDDLEWARE = 'retryTransactionContention';
const THROTTLING_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

/** Why DynamoDB refused a write that may pass when sent again, if it did: a conflict or throttling. */
function contentionOf(err: unknown): 'conflict' | 'throttling' | undefined {
  const e = err as { name?: unknown; CancellationReasons?: Array<{ Code?: string }> } | null;
  // The same transaction still being applied (an SDK retry of it) also passes later: it then answers its outcome.
  if (e?.name === 'TransactionConflictException' || e?.name === 'TransactionInProgressException') return 'conflict';
  if (e?.name !== 'TransactionCanceledException') return undefined;
  const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None').filter((c) => c !== 'None');
  if (codes.length === 0 || !codes.every((c) => c === 'TransactionConflict' || THROTTLING_REASONS.has(c))) return undefined;
  return codes.some((c) => THROTTLING_REASONS.has(c)) ? 'throttling' : 'conflict';
}
