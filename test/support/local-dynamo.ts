import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClientFor } from '../../lambdas/shared/aws-clients/dynamodb';
import { AUDIT_TABLE, PURCHASE_INDEX, STATE_TABLE } from '../../lambdas/shared/table-keys';
import { closeQueryIterators, type DynaliteDbModule } from '../../lib/local/dynalite-iterators';
import type { LocalTable } from '../../lib/local/dynamo';
import { startDynamoFront } from '../../lib/local/dynamo-front';
import { LOCAL_CREDENTIALS } from '../../lib/local/dynamo';

/**
 * A real DynamoDB-API server (dynalite, in memory) on 127.0.0.1 with procure's two tables, for
 * unit tests of adapters and handlers. Each call gets fresh tables with unique names.
 */
export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** A document client over `client` with production's marshalling options. */
  doc: DynamoDBDocumentClient;
  /**
   * Like `doc`, but retrying as the SDK does in production (its backoff; transaction contention
   * included, lambdas/shared/aws-clients/dynamodb.ts), up to 5 attempts: for tests whose writers
   * meet on one item, which the local DynamoDB, like DynamoDB, refuses while a transaction on it runs.
   */
  retryingDoc: DynamoDBDocumentClient;
  auditTable: string;
  stateTable: string;
  close(): Promise<void>;
}

let counter = 0;
const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function startLocalDynamo(): Promise<LocalDynamo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite ships no types
  const dynalite = require('dynalite') as (opts: object) => import('node:http').Server;
  // As the runtime's DynamoDB does: each Query and Scan closes the iterator it read.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module dynalite's Query and Scan go through
  closeQueryIterators(require('dynalite/db') as DynaliteDbModule);
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Through the runtime's own front (SigV4 checked, TransactWriteItems answered). Idle keep-alive
  // sockets stay open (Node closes them after 5 s by default): a test that pauses longer on a
  // loaded machine would otherwise reuse a socket just as the server closes it, and with
  // maxAttempts 1 that ECONNRESET fails the test. Closing still closes idle sockets.
  const front = await startDynamoFront(server, { credentials: TEST_CREDENTIALS, keepAliveMs: 10 * 60_000 });
  const endpoint = front.endpoint;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  const retrying = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 5 });
  const n = ++counter;
  const auditTable = `procure-audit-${n}`;
  const stateTable = `procure-state-${n}`;
  // As lib/constructs/state-table.ts and audit-table.ts declare them.
  await createTable(client, stateTable, [STATE_TABLE.partitionKey, STATE_TABLE.sortKey], {
    name: PURCHASE_INDEX.name,
    keys: [PURCHASE_INDEX.partitionKey, PURCHASE_INDEX.sortKey],
  });
  await createTable(client, auditTable, [AUDIT_TABLE.partitionKey, AUDIT_TABLE.sortKey], {
    name: AUDIT_TABLE.statusIndex,
    keys: [AUDIT_TABLE.statusIndexPartitionKey, AUDIT_TABLE.statusIndexSortKey],
  });
  return {
    endpoint,
    client,
    doc: documentClientFor(client),
    retryingDoc: documentClientFor(retrying),
    auditTable,
    stateTable,
    close: async () => {
      client.destroy();
      retrying.destroy();
      await front.close();
    },
  };
}

/** A pay-per-request table of string keys (hash, range) with one global index projecting all. */
async function createTable(client: DynamoDBClient, name: string, keys: [string, string], index: { name: string; keys: [string, string] }): Promise<void> {
  const keySchema = ([hash, range]: [string, string]) => [
    { AttributeName: hash, KeyType: 'HASH' as const },
    { AttributeName: range, KeyType: 'RANGE' as const },
  ];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...keys, ...index.keys].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
      KeySchema: keySchema(keys),
      GlobalSecondaryIndexes: [{ IndexName: index.name, KeySchema: keySchema(index.keys), Projection: { ProjectionType: 'ALL' } }],
    }),
  );
}

/** A runtime table (lib/local/dynamo.ts `startDynamo`) keyed by string `pk` and `sk`, for tests of the runtime's own DynamoDB. */
export function pkSkTable(logicalId: string, name: string): LocalTable {
  return {
    logicalId,
    name,
    input: {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    },
  };
}

/** A client of a local DynamoDB (the runtime's or a test's) with the runtime's credentials, sending each call once. */
export function clientOf(db: { endpoint: string }): DynamoDBClient {
  return new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
}
