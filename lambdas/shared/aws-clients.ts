import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * AWS SDK clients, created lazily once per cold start (HOUSE-STYLE "Code") and shared by every
 * adapter in the process. Each is a plain `new XClient({})`: region, credentials and
 * `AWS_ENDPOINT_URL_<SERVICE>` come from the environment, which is how the local runtime points
 * them at its loopback facades without any code path of its own.
 */

let doc: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let ses: SESv2Client | undefined;
let events: EventBridgeClient | undefined;
let secrets: SecretsManagerClient | undefined;

/** DynamoDB document client; `removeUndefinedValues` so optional fields can be passed as undefined. */
export function documentClient(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return doc;
}

/** Step Functions client (StartExecution, DescribeExecution, SendTaskSuccess/Failure). */
export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}

/** SES v2 client (SendEmail). */
export function sesClient(): SESv2Client {
  ses ??= new SESv2Client({});
  return ses;
}

/** EventBridge client (PutEvents). */
export function eventBridgeClient(): EventBridgeClient {
  events ??= new EventBridgeClient({});
  return events;
}

/** Secrets Manager client, shared with the Powertools secrets provider. */
export function secretsManagerClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient({});
  return secrets;
}
