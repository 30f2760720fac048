import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AUDIT_TABLE, PURCHASE_INDEX, STATE_TABLE } from '../../lambdas/shared/table-keys';

/**
 * A real DynamoDB-API server (dynalite, in memory) on 127.0.0.1 with procure's two tables, for
 * unit tests of adapters and handlers. Each call gets fresh tables with unique names.
 */
export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  auditTable: string;
  stateTable: string;
  close(): Promise<void>;
}

let counter = 0;

export async function startLocalDynamo(): Promise<LocalDynamo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite ships no types
  const dynalite = require('dynalite') as (opts: object) => import('node:http').Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const n = ++counter;
  const auditTable = `procure-audit-${n}`;
  const stateTable = `procure-state-${n}`;
  await client.send(
    new CreateTableCommand({
      TableName: stateTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: STATE_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: STATE_TABLE.sortKey, AttributeType: 'S' },
        { AttributeName: PURCHASE_INDEX.partitionKey, AttributeType: 'S' },
        { AttributeName: PURCHASE_INDEX.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      // As lib/constructs/state-table.ts declares it.
      GlobalSecondaryIndexes: [
        {
          IndexName: PURCHASE_INDEX.name,
          KeySchema: [
            { AttributeName: PURCHASE_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: PURCHASE_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: auditTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: AUDIT_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: AUDIT_TABLE.sortKey, AttributeType: 'S' },
        { AttributeName: AUDIT_TABLE.statusIndexPartitionKey, AttributeType: 'S' },
        { AttributeName: AUDIT_TABLE.statusIndexSortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: AUDIT_TABLE.statusIndex,
          KeySchema: [
            { AttributeName: AUDIT_TABLE.statusIndexPartitionKey, KeyType: 'HASH' },
            { AttributeName: AUDIT_TABLE.statusIndexSortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  return {
    endpoint,
    client,
    auditTable,
    stateTable,
    close: async () => {
      client.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
