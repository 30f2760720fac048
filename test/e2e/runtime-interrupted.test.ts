import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local';
import { startFixtureRuntime, waitForMails } from '../support/fixture-runtime';

/**
 * Executions cut off by a stop go on at the next start from the state they entered last (the
 * checkpoint in <dataDir>/checkpoints/), on the fixture app: Quote -> RequestApproval (a
 * .waitForTaskToken Task that mails a link) -> Decision -> Notify -> Done. One whose state the
 * template no longer has is closed as interrupted instead.
 */
describe('executions cut off by a stop', () => {
  let dataDir = '';
  let rt: LocalRuntime | undefined;

  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function cutOffWhileWaitingForApproval(purchaseId: string): Promise<string> {
    dataDir = mkdtempSync(join(tmpdir(), 'procure-data-'));
    rt = await startFixtureRuntime({ inMemory: false, dataDir });
    rt.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: { purchaseId } }]);
    await waitForMails(rt, 1);
    expect(rt.executions.describe(purchaseId)?.status).toBe('RUNNING');
    const link = rt.mails[0]!.links[0]!;
    await expect(startFixtureRuntime({ inMemory: false, dataDir })).rejects.toThrow(/another local runtime \(pid \d+\) is using/);
    await rt.close();
    return link;
  }

  async function approvalItems(r: LocalRuntime): Promise<Array<Record<string, { S?: string }>>> {
    const client = new DynamoDBClient(r.clientConfig('dynamodb'));
    const items = (await client.send(new ScanCommand({ TableName: r.tables.StateTable9728C7E5! }))).Items ?? [];
    client.destroy();
    return items.filter((i) => i.pk?.S?.startsWith('APPROVAL#')) as Array<Record<string, { S?: string }>>;
  }

  it('go on from the state they entered last: the approval step mails a fresh link, the old one is dead, and the execution completes', async () => {
    const oldLink = await cutOffWhileWaitingForApproval('pur-cut');
    const secretsBefore = readFileSync(join(dataDir, 'secrets.json'), 'utf8');
    const checkpoints = readdirSync(join(dataDir, 'checkpoints'));
    expect(checkpoints).toHaveLength(1);
    expect(statSync(join(dataDir, 'checkpoints', checkpoints[0]!)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dataDir, 'checkpoints', checkpoints[0]!), 'utf8'))).toMatchObject({ state: 'RequestApproval' });

    const lines: string[] = [];
    rt = await startFixtureRuntime({ inMemory: false, dataDir, log: (l) => lines.push(l) });
    expect(rt.interrupted).toEqual([]);
    expect(rt.resumed).toEqual([expect.objectContaining({ name: 'pur-cut', purchaseId: 'pur-cut', state: 'RequestApproval', expiredApprovals: 1 })]);
    expect(lines.some((l) => l.startsWith('resumed: 1 execution(s)') && l.includes('pur-cut at RequestApproval'))).toBe(true);
    expect(rt.executions.describe('pur-cut')?.status).toBe('RUNNING');

    // The approval step ran again: a second approval record with a new token, the first one EXPIRED.
    await waitForMails(rt, 1);
    const approvals = await approvalItems(rt);
    expect(approvals.map((a) => a.status?.S).sort()).toEqual(['EXPIRED', 'PENDING']);
    const [expired, pending] = [approvals.find((a) => a.status?.S === 'EXPIRED')!, approvals.find((a) => a.status?.S === 'PENDING')!];
    expect(pending.taskToken?.S).toBeTruthy();
    expect(pending.taskToken?.S).not.toBe(expired.taskToken?.S);
    const newLink = rt.mails[0]!.links[0]!;
    expect(newLink).not.toBe(oldLink);

    // The old link's token died with the first process; the new one decides, and the run completes.
    const rebased = (link: string) => new URL(new URL(link).pathname, rt!.apiUrl).toString();
    const stale = await request(rebased(oldLink), { method: 'POST', body: 'decision=approve' });
    expect(stale.statusCode).toBe(409);
    await stale.body.text();
    const fresh = await request(rebased(newLink), { method: 'POST', body: 'decision=approve' });
    expect(await fresh.body.text()).toBe('APPROVED');
    const done = await rt.executions.wait('pur-cut');
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!) as Record<string, unknown>;
    expect(output.quote).toEqual({ amount: 42, by: 'from A' }); // the state's input, kept across the stop
    expect(output.approval).toMatchObject({ decision: 'APPROVED' });
    // Its history on disk keeps the steps before the stop and goes on after them, RequestApproval entered again.
    const steps = rt.executions.history('pur-cut');
    expect(steps.filter((s) => s.type === 'StateExited').map((s) => s.state)).toEqual(['Quote', 'RequestApproval', 'Decision', 'Notify', 'Done']);
    expect(steps.filter((s) => s.type === 'StateEntered' && s.state === 'RequestApproval')).toHaveLength(2);
    expect(steps.filter((s) => s.type === 'ExecutionStarted')).toHaveLength(1); // it started once
    expect(readdirSync(join(dataDir, 'checkpoints'))).toEqual([]);
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toBe(secretsBefore);
    await rt.close();

    // Gone on once: a third start finds nothing cut off, and the name stays taken.
    rt = await startFixtureRuntime({ inMemory: false, dataDir });
    expect(rt.resumed).toEqual([]);
    expect(rt.interrupted).toEqual([]);
    expect(rt.executions.describe('pur-cut')?.status).toBe('SUCCEEDED');
    expect(() => rt!.executions.start({ purchaseId: 'pur-cut' }, 'pur-cut')).toThrow(/Execution Already Exists/);
  });

  it('are closed as interrupted, audited and their approvals expired when the template no longer has their state', async () => {
    await cutOffWhileWaitingForApproval('pur-renamed');
    // As after an update that renamed the state: the checkpoint names a state this template lacks.
    const dir = join(dataDir, 'checkpoints');
    const [file] = readdirSync(dir);
    const cp = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, file!), JSON.stringify({ ...cp, state: 'AskTheBoss' }));

    const lines: string[] = [];
    rt = await startFixtureRuntime({ inMemory: false, dataDir, log: (l) => lines.push(l) });
    expect(rt.resumed).toEqual([]);
    expect(rt.interrupted).toEqual([expect.objectContaining({ name: 'pur-renamed', purchaseId: 'pur-renamed', expiredApprovals: 1 })]);
    expect(lines.some((l) => l.includes('interrupted: 1 execution(s)') && l.includes('no longer has the state AskTheBoss'))).toBe(true);
    expect(rt.executions.describe('pur-renamed')).toMatchObject({ status: 'ABORTED', error: 'Local.RuntimeStopped' });

    const client = new DynamoDBClient(rt.clientConfig('dynamodb'));
    const audit = await client.send(
      new QueryCommand({
        TableName: rt.tables.AuditTableB07F8EEB!,
        KeyConditionExpression: 'purchaseId = :p',
        ExpressionAttributeValues: { ':p': { S: 'pur-renamed' } },
      }),
    );
    client.destroy();
    expect(audit.Items).toHaveLength(1);
    expect(audit.Items![0]).toMatchObject({ type: { S: 'INTERRUPTED' }, status: { S: 'INTERRUPTED' }, actor: { S: 'system' } });
    expect((await approvalItems(rt)).map((a) => a.status?.S)).toEqual(['EXPIRED']);
    expect(rt.mails).toEqual([]); // nothing ran again
    await rt.close();

    rt = await startFixtureRuntime({ inMemory: false, dataDir });
    expect(rt.interrupted).toEqual([]);
    expect(rt.resumed).toEqual([]);
  });
});
