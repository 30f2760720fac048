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
 * the SDK retries none of them ("Transaction conflict handling in DynamoDB"). Marked as
 * throttling, they get the SDK's own retries with backoff, like any throttled call. A
 * cancellation that names a failed condition is an answer, never retried.
 */
function retryTransactionContention(client: DynamoDBClient): void {
  if (client.middlewareStack.identify().some((m) => m.startsWith(CONTENTION_MIDDLEWARE))) return;
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (isContention(err)) Object.assign(err as object, { $retryable: { throttling: true } });
        throw err;
      }
    },
    { step: 'deserialize', priority: 'high', name: CONTENTION_MIDDLEWARE },
  );
}

const CONTENTION_MIDDLEWARE = 'retryTransactionContention';
const CONTENTION_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

function isContention(err: unknown): boolean {
  const e = err as { name?: unknown; CancellationReasons?: Array<{ Code?: string }> } | null;
  if (e?.name === 'TransactionConflictException') return true;
  if (e?.name !== 'TransactionCanceledException') return false;
  const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return codes.some((c) => CONTENTION_REASONS.has(c)) && codes.every((c) => c === 'None' || CONTENTION_REASONS.has(c));
}
