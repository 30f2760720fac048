import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A document client that sends through `doc` and names each command it sends in `calls` (the
 * adapters' call counts: a step's status and entry in one transaction, the spend guard's).
 */
export function countingDoc(doc: DynamoDBDocumentClient, calls: string[]): DynamoDBDocumentClient {
  const send = (cmd: { constructor: { name: string } }) => {
    calls.push(cmd.constructor.name);
    return doc.send(cmd as never);
  };
  return { send } as unknown as DynamoDBDocumentClient;
}
