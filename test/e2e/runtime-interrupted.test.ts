import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local';
import { startFixtureRuntime, waitForMails } from '../support/fixture-runtime';

/**
 * An in-memory engine cannot resume a Task that was waiting when the process stopped: the next
 * start reports such executions and closes them as interrupted, with an audit entry.
 */
describe('executions cut off by a stop', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'procure-data-'));
  let rt: LocalRuntime | undefined;

  afterAll(async () => {
    await rt?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are reported on the next start, audited as INTERRUPTED, and their pending approvals expire', async () => {
    rt = await startFixtureRuntime({ inMemory: false, dataDir });
    rt.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: { purchaseId: 'pur-cut' } }]);
    await waitForMails(rt, 1);
    expect(rt.executions.describe('pur-cut')?.status).toBe('RUNNING');
    const secretsBefore = readFileSync(join(dataDir, 'secrets.json'), 'utf8');
    await expect(startFixtureRuntime({ inMemory: false, dataDir })).rejects.toThrow(/another local runtime \(pid \d+\) is using/);
    await rt.close();

    const lines: string[] = [];
    rt = await startFixtureRuntime({ inMemory: false, dataDir, log: (l) => lines.push(l) });
    expect(rt.interrupted).toEqual([expect.objectContaining({ name: 'pur-cut', purchaseId: 'pur-cut', expiredApprovals: 1 })]);
    expect(lines.some((l) => l.includes('interrupted: 1 execution(s)') && l.includes('pur-cut'))).toBe(true);
    expect(rt.executions.describe('pur-cut')).toMatchObject({ status: 'ABORTED', error: 'Local.RuntimeStopped' });

    const client = new DynamoDBClient(rt.clientConfig('dynamodb'));
    const audit = await client.send(
      new QueryCommand({ TableName: rt.tables.AuditTableB07F8EEB!, KeyConditionExpression: 'purchaseId = :p', ExpressionAttributeValues: { ':p': { S: 'pur-cut' } } }),
    );
    expect(audit.Items).toHaveLength(1);
    expect(audit.Items![0]).toMatchObject({ type: { S: 'INTERRUPTED' }, status: { S: 'INTERRUPTED' }, actor: { S: 'system' } });
    const byStatus = await client.send(
      new QueryCommand({ TableName: rt.tables.AuditTableB07F8EEB!, IndexName: 'byStatus', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'INTERRUPTED' } } }),
    );
    expect(byStatus.Count).toBe(1);
    const approvals = await client.send(new ScanCommand({ TableName: rt.tables.StateTable9728C7E5! }));
    const approval = approvals.Items!.find((i) => i.pk?.S?.startsWith('APPROVAL#'))!;
    expect(approval.status).toEqual({ S: 'EXPIRED' });
    const again = await client.send(new GetItemCommand({ TableName: rt.tables.StateTable9728C7E5!, Key: { pk: approval.pk!, sk: approval.sk! } }));
    expect(again.Item?.taskToken?.S).toBeTruthy();
    client.destroy();

    // The old link can no longer decide anything, the name stays taken, the secrets are kept.
    expect(() => rt!.executions.start({ purchaseId: 'pur-cut' }, 'pur-cut')).toThrow(/Execution Already Exists/);
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toBe(secretsBefore);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    await rt.close();

    // Reported once: a third start finds nothing left to close.
    rt = await startFixtureRuntime({ inMemory: false, dataDir });
    expect(rt.interrupted).toEqual([]);
  });
});
