import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** Created once per cold start; see ./dynamodb.ts for why each client has its own module. */
let events: EventBridgeClient | undefined;

/** EventBridge client (PutEvents). */
export function eventBridgeClient(): EventBridgeClient {
  events ??= new EventBridgeClient({});
  return events;
}
