import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RESOLVE_ENV, type CfnTemplate } from '../../lib/local/cfn-template';
import { startDynamo, tablesFromTemplate } from '../../lib/local/dynamo';
import { AUDIT_TABLE } from '../../lambdas/shared/table-keys';

const template: CfnTemplate = {
  Resources: {
    AuditTableB07F8EEB: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: ['purchaseId', 'seq', 'status', 'at'].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        GlobalSecondaryIndexes: [
          {
            IndexName: AUDIT_TABLE.statusIndex,
            KeySchema: [
              { AttributeName: 'status', KeyType: 'HASH' },
              { AttributeName: 'at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
    },
    Named: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'locks']] },
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      },
    },
  },
};

describe('DynamoDB tables from the template on dynalite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procure-dynamo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tables = tablesFromTemplate(template, { ...DEFAULT_RESOLVE_ENV, stackName: 'Procure' });

  it('takes names, keys and indexes from the template', () => {
    expect(tables.map((t) => t.name)).toEqual(['AuditTableB07F8EEB', 'Procure-locks']);
    expect(tables[0]!.input).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', GlobalSecondaryIndexes: [{ IndexName: 'byStatus' }] });
    expect(tables[1]!.input).toMatchObject({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } });
  });

  it('creates them (GSI queries work) and keeps data between runs in a data folder', async () => {
    const path = join(dir, 'dynamo');
    const first = await startDynamo({ tables, path, region: 'us-east-1' });
    const item = { purchaseId: { S: 'p1' }, seq: { S: '1' }, status: { S: 'QUOTED' }, at: { S: '2026-01-01T00:00:00Z' } };
    await first.client.send(new PutItemCommand({ TableName: 'AuditTableB07F8EEB', Item: item }));
    const byStatus = await first.client.send(
      new QueryCommand({
        TableName: 'AuditTableB07F8EEB',
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'QUOTED' } },
      }),
    );
    expect(byStatus.Count).toBe(1);
    await first.close();

    const second = await startDynamo({ tables, path, region: 'us-east-1' });
    const got = await second.client.send(new GetItemCommand({ TableName: 'AuditTableB07F8EEB', Key: { purchaseId: { S: 'p1' }, seq: { S: '1' } } }));
    expect(got.Item).toEqual(item);
    const desc = await second.client.send(new DescribeTableCommand({ TableName: 'Procure-locks' }));
    expect(desc.Table?.TableStatus).toBe('ACTIVE');
    await second.close();
  });

  it('refuses a persisted table whose keys no longer match the template', async () => {
    const path = join(dir, 'dynamo');
    const changed = tablesFromTemplate(
      {
        Resources: {
          AuditTableB07F8EEB: {
            Type: 'AWS::DynamoDB::Table',
            Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] },
          },
        },
      },
      DEFAULT_RESOLVE_ENV,
    );
    await expect(startDynamo({ tables: changed, path, region: 'us-east-1' })).rejects.toThrow(/delete the local data folder/);
  });
});
