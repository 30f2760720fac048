import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClientFor } from '../../lambdas/shared/aws-clients/dynamodb';
import type { LocalRuntime } from '../../lib/local';

/** The runtime's table whose logical id starts with `prefix` (e.g. 'StateTable', 'AuditTable'). */
export function runtimeTable(rt: LocalRuntime, prefix: string): string {
  const name = Object.entries(rt.tables).find(([logicalId]) => logicalId.startsWith(prefix))?.[1];
  if (!name) throw new Error(`no ${prefix} table in ${JSON.stringify(rt.tables)}`);
  return name;
}

/**
 * A document client on the runtime's DynamoDB endpoint (in-memory dynalite behind loopback), with
 * the marshalling procure's adapters expect. `destroy` closes the underlying client's sockets
 * (DynamoDBDocumentClient.destroy() alone does not).
 */
export function runtimeDocClient(rt: LocalRuntime, maxAttempts: number): { doc: DynamoDBDocumentClient; destroy(): void } {
  const client = new DynamoDBClient({ ...rt.clientConfig('dynamodb'), maxAttempts });
  const doc = documentClientFor(client);
  return { doc, destroy: () => client.destroy() };
}
