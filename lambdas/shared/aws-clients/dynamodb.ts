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
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
