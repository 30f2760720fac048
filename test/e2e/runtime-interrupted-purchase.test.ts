import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import { approvalLinkOf } from '../../lib/cli/runtime-report';
import { waitForMails } from '../support/fixture-runtime';
import { PROJECT_DIR } from '../support/project-dir';
import { cocalcRequest } from '../support/requests';

/**
 * A purchase waiting for approval when `npm start` is stopped: the next start closes it through the
 * workflow's own RecordNotCompleted function, so its budget reservation does not stay held forever.
 */
describe('a procure purchase cut off by a stop', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'procure-data-'));
  let rt: LocalRuntime | undefined;

  afterAll(async () => {
    await rt?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is closed as FAILED on the next start, with its budget released and the old link dead', async () => {
    const start = () => startLocalRuntime({ projectDir: PROJECT_DIR, dataDir, synth: 'auto' });
    rt = await start();
    const request = cocalcRequest({ requestId: 'cut-off-1' });
    const purchaseId = purchaseIdFor('cut-off-1');
    await rt.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: request }]);
    await waitForMails(rt, 1, 30_000);
    const reserved = async (r: LocalRuntime): Promise<number> => {
      const client = new DynamoDBClient(r.clientConfig('dynamodb'));
      const table = Object.entries(r.tables).find(([id]) => id.startsWith('StateTable'))![1];
      const items = (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
      client.destroy();
      const budget = items.find((i) => i.pk?.S?.startsWith('BUDGET#cocalc#'));
      return Number(budget?.reservedCents?.N ?? 0);
    };
    expect(await reserved(rt)).toBeGreaterThan(0);
    const link = approvalLinkOf(rt.mails[0]!)!;
    await rt.close();

    rt = await start();
    expect(rt.interrupted.map((i) => i.purchaseId)).toEqual([purchaseId]);
    expect(await reserved(rt)).toBe(0);

    const client = new DynamoDBClient(rt.clientConfig('dynamodb'));
    const auditTable = Object.entries(rt.tables).find(([id]) => id.startsWith('AuditTable'))![1];
    const audit = await client.send(
      new QueryCommand({ TableName: auditTable, KeyConditionExpression: 'purchaseId = :p', ExpressionAttributeValues: { ':p': { S: purchaseId } } }),
    );
    client.destroy();
    const types = (audit.Items ?? []).map((i) => i.type?.S);
    expect(types).toContain('INTERRUPTED');
    const closed = (audit.Items ?? []).find((i) => i.type?.S === 'NOT_COMPLETED');
    expect(closed?.status?.S).toBe('FAILED');
    expect(closed?.message?.S).toMatch(/Local\.RuntimeStopped|runtime stopped/);

    // The link of the closed purchase decides nothing any more.
    const res = await fetch(new URL(new URL(link).pathname + new URL(link).search, rt.apiUrl));
    const page = await res.text();
    expect(page).not.toMatch(/<button[^>]*>\s*Approve/i);
  }, 120_000);
});
