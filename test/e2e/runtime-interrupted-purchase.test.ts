import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';

import { purchaseIdFor, STATE } from '../../lambdas/core/workflow';
import type { LocalRuntime } from '../../lib/local';
import { approvalMailFor, approvalMailOfThisRun, auditTrail, decide, e2eHandle, purchaseRecord, reservation } from '../support/e2e-runtime';
import { startExternalCocalc, taggedPurchaseId, type ExternalCocalc } from '../support/external-cocalc';
import { cocalcSecretLogicalId, reopenInProcess, seedCocalcApiKey } from '../support/killable-local';
import { cocalcRequest } from '../support/requests';
import { DynamoApprovalStore } from '../../lambdas/adapters/aws/dynamo-approval-store';

/**
 * A purchase waiting for approval when `npm start` is stopped goes on at the next start: the
 * approval step runs again and mails a fresh link (the old one died with the process and says so),
 * its budget reservation stays held for it, and approving the new link buys it once at the sandbox.
 */
describe('a procure purchase cut off by a stop, CoCalc in another process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'procure-data-'));
  let rt: LocalRuntime | undefined;
  let vendor: ExternalCocalc | undefined;

  afterAll(async () => {
    await rt?.close();
    vendor?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async () => (await reopenInProcess(dataDir, vendor!.url)).rt;

  it('goes on at the next start: a fresh approval link, the old one dead, the budget still held, bought once when approved', async () => {
    // The vendor outlives the runtime, as a real one does: its cart still holds the parked item.
    vendor = await startExternalCocalc();
    seedCocalcApiKey(dataDir, await cocalcSecretLogicalId(), vendor.apiKey);
    rt = await start();
    const request = cocalcRequest({ requestId: 'cut-off-1' });
    const purchaseId = purchaseIdFor('cut-off-1');
    await rt.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: request }]);
    // Waiting for approval: mailed, and the step's APPROVAL_SENT written.
    const first = e2eHandle(rt, []);
    const { link: oldLink } = await approvalMailFor(first, purchaseId, 1, 30_000);
    const heldBefore = await reserved(rt);
    expect(heldBefore).toBeGreaterThan(0);
    await first.close();

    rt = await start();
    expect(rt.interrupted).toEqual([]);
    expect(rt.resumed).toEqual([expect.objectContaining({ purchaseId, state: STATE.RequestApproval, expiredApprovals: 1 })]);
    const e2e = e2eHandle(rt, []);
    const { link } = await approvalMailOfThisRun(e2e, purchaseId, 30_000);
    expect(link).not.toBe(oldLink);
    expect(await reserved(rt)).toBe(heldBefore);
    const trail = await auditTrail(e2e, purchaseId);
    const resumed = trail.find((a) => a.type === 'RESUMED');
    expect(resumed?.message).toContain(`at ${STATE.RequestApproval}`);
    expect(trail.filter((a) => a.type === 'APPROVAL_SENT')).toHaveLength(2);

    // The old link decides nothing any more; the fresh one does.
    const stale = await fetch(new URL(new URL(oldLink).pathname + new URL(oldLink).search, rt.apiUrl));
    expect(await stale.text()).not.toMatch(/<button[^>]*>\s*Approve/i);
    const decided = await decide(link, 'approve');
    expect(decided.status, decided.text).toBe(200);
    const done = await rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    const ended = (await auditTrail(e2e, purchaseId)).map((a) => `${a.type} ${a.status}: ${a.message ?? ''}`).join('\n');
    expect(done.status, ended).toBe('SUCCEEDED');
    expect((await purchaseRecord(e2e, purchaseId))?.status).toBe('COMPLETED');
    expect((await reservation(e2e, purchaseId))?.status).toBe('COMMITTED');
    const [license] = await vendor.licenses();
    expect(await vendor.licenses()).toHaveLength(1);
    expect((await vendor.cart({ purchased: true })).filter((i) => taggedPurchaseId(i) === purchaseId).map((i) => i.purchased?.license_id)).toEqual([
      license!.id,
    ]);
    await e2e.close();
  }, 300_000);

  it('hands on a decision the approvals API recorded but could not deliver before the stop, instead of asking again', async () => {
    await rt?.close();
    rt = await start();
    const purchaseId = purchaseIdFor('cut-off-2');
    const licensesBefore = (await vendor!.licenses()).length;
    await rt.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: cocalcRequest({ requestId: 'cut-off-2' }) }]);
    const first = e2eHandle(rt, []);
    const { approvalId } = await approvalMailFor(first, purchaseId, 1, 30_000);
    // The approvals API's first half: the decision is recorded on the approval record (and its
    // round claimed); the stop comes before its SendTaskSuccess.
    const now = new Date();
    await new DynamoApprovalStore(first.doc, first.stateTable).decide(approvalId, { status: 'APPROVED', decidedAt: now.toISOString() }, now);
    await first.close();

    rt = await start();
    expect(rt.resumed).toEqual([expect.objectContaining({ purchaseId, state: STATE.RequestApproval, deliveredDecision: 'APPROVED' })]);
    const done = await rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    const e2e = e2eHandle(rt, []);
    const trail = await auditTrail(e2e, purchaseId);
    expect(done.status, trail.map((a) => `${a.type} ${a.status}: ${a.message ?? ''}`).join('\n')).toBe('SUCCEEDED');
    // Nobody was asked again: one approval round, and the license bought once.
    expect(trail.filter((a) => a.type === 'APPROVAL_SENT')).toHaveLength(1);
    expect(trail.find((a) => a.type === 'RESUMED')?.detail?.deliveredDecision).toBe('APPROVED');
    expect((await purchaseRecord(e2e, purchaseId))?.status).toBe('COMPLETED');
    expect(await vendor!.licenses()).toHaveLength(licensesBefore + 1);
    await e2e.close();
  }, 300_000);
});

/** The cents the CoCalc budget holds reserved. */
async function reserved(r: LocalRuntime): Promise<number> {
  const client = new DynamoDBClient(r.clientConfig('dynamodb'));
  const table = Object.entries(r.tables).find(([id]) => id.startsWith('StateTable'))![1];
  const items = (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
  client.destroy();
  const budget = items.find((i) => i.pk?.S?.startsWith('BUDGET#cocalc#'));
  return Number(budget?.reservedCents?.N ?? 0);
}
