import type { Server } from 'node:http';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  type CreateTableCommandInput,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { localPhysicalName, resolveIntrinsics } from './cfn-intrinsics';
import type { CfnTemplate, ResolveEnv } from './cfn-template';
import { startDynamoFront } from './dynamo-front';
import { closeQueryIterators, type DynaliteDbModule } from './dynalite-iterators';
import type { DynamoCall } from './metering';
import { LOCAL_CREDENTIALS, type RuntimeCredentials } from './local-credentials';
import { mkdirPrivate } from './private-files';

export { LOCAL_CREDENTIALS };

/**
 * DynamoDB on dynalite (local-aws-runtime.md §2): in memory, or kept in a LevelDB folder between
 * runs. The template's tables are created with the same key schema, attribute definitions and
 * indexes; a persisted table whose keys changed is an error (delete the data folder), a missing
 * GSI is added. dynalite has no TTL (TimeToLiveSpecification is ignored) and no transactions: the
 * front answers TransactWriteItems (dynamo-transactions.ts).
 */
export interface LocalTable {
  logicalId: string;
  name: string;
  input: CreateTableCommandInput;
}

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tables: LocalTable[];
  close(): Promise<void>;
}

export function tablesFromTemplate(template: CfnTemplate, env: ResolveEnv): LocalTable[] {
  const out: LocalTable[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table' && resource.Type !== 'AWS::DynamoDB::GlobalTable') continue;
    const p = resolveIntrinsics(resource.Properties ?? {}, template, env) as Record<string, unknown>;
    const name = localPhysicalName(logicalId, resource, template, env);
    const provisioned = p.BillingMode === 'PROVISIONED' || (p.BillingMode === undefined && p.ProvisionedThroughput !== undefined);
    const throughput = (p.ProvisionedThroughput as { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined) ?? {
      ReadCapacityUnits: 5,
      WriteCapacityUnits: 5,
    };
    const gsis = ((p.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined) ?? []).map((g) => ({
      IndexName: String(g.IndexName),
      KeySchema: g.KeySchema as never,
      Projection: (g.Projection ?? { ProjectionType: 'ALL' }) as never,
      ...(provisioned ? { ProvisionedThroughput: (g.ProvisionedThroughput as never) ?? throughput } : {}),
    }));
    const lsis = ((p.LocalSecondaryIndexes as Array<Record<string, unknown>> | undefined) ?? []).map((l) => ({
      IndexName: String(l.IndexName),
      KeySchema: l.KeySchema as never,
      Projection: (l.Projection ?? { ProjectionType: 'ALL' }) as never,
    }));
    out.push({
      logicalId,
      name,
      input: {
        TableName: name,
        KeySchema: p.KeySchema as never,
        AttributeDefinitions: p.AttributeDefinitions as never,
        ...(provisioned ? { ProvisionedThroughput: throughput } : { BillingMode: 'PAY_PER_REQUEST' }),
        ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
        ...(lsis.length ? { LocalSecondaryIndexes: lsis } : {}),
      },
    });
  }
  return out;
}

/**
 * `credentials`: what every request must be signed with (dynamo-front.ts); the returned client signs
 * with them. `onCall` hears of every request the front passes on (metering.ts).
 */
export async function startDynamo(options: {
  tables: LocalTable[];
  path?: string;
  region: string;
  credentials?: RuntimeCredentials;
  log?: (line: string) => void;
  onCall?: (call: DynamoCall) => void;
}): Promise<LocalDynamo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite ships no types
  const dynalite = require('dynalite') as (opts: object) => Server;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module dynalite's Query and Scan go through
  closeQueryIterators(require('dynalite/db') as DynaliteDbModule);
  if (options.path) mkdirPrivate(options.path);
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  const credentials = options.credentials ?? LOCAL_CREDENTIALS;
  const intentFile = options.path ? `${options.path}.transaction.json` : undefined;
  const front = await startDynamoFront(server, { credentials, log: options.log, onCall: options.onCall, intentFile });
  const endpoint = front.endpoint;
  const client = new DynamoDBClient({ endpoint, region: options.region, credentials, maxAttempts: 2 });
  const close = async (): Promise<void> => {
    client.destroy();
    await front.close();
  };
  try {
    for (const t of options.tables) await ensureTable(client, t, options.log);
  } catch (err) {
    await close();
    throw err;
  }
  return { endpoint, client, tables: options.tables, close };
}

async function ensureTable(client: DynamoDBClient, table: LocalTable, log?: (line: string) => void): Promise<void> {
  let existing: TableDescription | undefined;
  try {
    existing = (await client.send(new DescribeTableCommand({ TableName: table.name }))).Table;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  if (!existing) {
    await client.send(new CreateTableCommand(table.input));
    return;
  }
  const keys = (k: unknown) => JSON.stringify(((k as Array<{ AttributeName: string; KeyType: string }>) ?? []).map((x) => [x.AttributeName, x.KeyType]));
  if (keys(existing.KeySchema) !== keys(table.input.KeySchema)) {
    throw new Error(
      `persisted table ${table.name} has keys ${keys(existing.KeySchema)} but the template says ${keys(table.input.KeySchema)}: delete the local data folder to start over`,
    );
  }
  const have = new Set((existing.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  for (const gsi of table.input.GlobalSecondaryIndexes ?? []) {
    if (have.has(gsi.IndexName)) continue;
    log?.(`dynamo: adding index ${gsi.IndexName} to ${table.name}`);
    await client.send(
      new UpdateTableCommand({
        TableName: table.name,
        AttributeDefinitions: table.input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: gsi }],
      }),
    );
  }
}
