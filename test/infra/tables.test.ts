import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditTable } from '../../lib/constructs/audit-table';
import { StateTable } from '../../lib/constructs/state-table';
import { bareStack, templateOf } from './synth';

/** The two tables' settings, synthesized on their own (no bundling, no outdir needed for a bare stack). */

let template: Template;
beforeAll(() => {
  const { stack, dispose } = bareStack('Tables');
  new AuditTable(stack, 'AuditTable');
  new StateTable(stack, 'StateTable');
  template = templateOf(stack);
  dispose();
});

const table = (prefix: string): { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string } => {
  const all = template.findResources('AWS::DynamoDB::Table');
  const hit = Object.entries(all).find(([id]) => id.startsWith(prefix));
  if (!hit) throw new Error(`no table ${prefix}`);
  return hit[1] as never;
};

describe('audit table', () => {
  it('is keyed purchaseId / seq, on demand, with the byStatus (status, at) index', () => {
    expect(table('AuditTable').Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'purchaseId', KeyType: 'HASH' },
        { AttributeName: 'seq', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('keeps its history: PITR, KMS encryption, deletion protection, retained on delete and replace', () => {
    const t = table('AuditTable');
    expect(t.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(t.DeletionPolicy).toBe('Retain');
    expect(t.UpdateReplacePolicy).toBe('Retain');
    expect(t.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('is a DynamoDB Table, not a GlobalTable (toolchain.md G9)', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
  });
});

describe('state table', () => {
  it('is keyed pk / sk, on demand, with TTL on ttl, PITR and KMS encryption, retained', () => {
    const t = table('StateTable');
    expect(t.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(t.DeletionPolicy).toBe('Retain');
  });

  it('has one index, purchasesByStatus (status, createdSeq), so an existing table takes it in one update', () => {
    const t = table('StateTable');
    // CloudFormation creates at most one GSI per table update: a second index must come in a later deploy.
    expect(t.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'purchasesByStatus',
        KeySchema: [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'createdSeq', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(t.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'createdSeq', AttributeType: 'S' },
      ]),
    );
  });

  it('has no resource policy (only the audit table needs the append-only deny)', () => {
    template.hasResourceProperties(
      'AWS::DynamoDB::Table',
      Match.objectLike({ KeySchema: Match.arrayWith([{ AttributeName: 'pk', KeyType: 'HASH' }]), ResourcePolicy: Match.absent() }),
    );
  });
});
