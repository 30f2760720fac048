import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { purchaseIdFor } from '../../lambdas/core/workflow';
import { secretArnEnv } from '../../lambdas/shared/env-names';
import { startLocalRuntime } from '../../lib/local';
import { startProcess, type RunningCli } from '../support/cli';
import { auditTrail, decide, e2eHandle, purchaseRecord, reservation, waitFor, type E2e } from '../support/e2e-runtime';
import { killNow, outboxApprovalLink, secretLogicalIdIn, seedSecret } from '../support/killable-local';
import { fixtureRequest, fixtureTemplate } from './support/fixture';
import { PROJECT_DIR } from '../support/project-dir';
import { fixtureRuntimeOptions } from './support/local-child';

/**
 * kill -9 of procure's runtime while the Fixture Vendor, in another process, holds the answer to
 * an order it has already placed: the vendor acts after the runtime died. The same data folder
 * opened again lets the purchase go on from BuySeats, whose replay (same Idempotency-Key) gets the
 * first order back: one order and one charge at the vendor, the purchase COMPLETED with that
 * order's license, the reservation committed once. The vendor seam's money rules, for a vendor
 * added through the seam alone, survive a crash as procure's own vendors' do
 * (test/e2e/runtime-kill9.test.ts).
 */
const TSX = resolve(PROJECT_DIR, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** tsx as a loader of this very process (`node --import tsx`): the runtime is the test's own child, reaped when killed. */
const TSX_LOADER = ['--import', 'tsx', '--conditions=procure-fixture-vendor'];
const TOKEN = 'fixture-kill9-token';
/** How long the vendor holds the order's answer: well past the kill, under the client's 10 s timeout. */
const LATE_MS = 6_000;

interface Order {
  id: string;
  key: string;
  seats: number;
}

describe('procure killed with SIGKILL while the Fixture Vendor, in another process, answers an order late', () => {
  const processes: RunningCli[] = [];
  const dirs: string[] = [];
  let reopened: E2e | undefined;
  afterAll(async () => {
    await reopened?.close();
    for (const p of processes) p.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** The vendor's orders and holds, read through its API with the account's token. */
  async function ordersAt(url: string): Promise<Order[]> {
    const res = await fetch(`${url}/licenses`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as Order[];
  }
  async function holdsAt(url: string): Promise<Array<{ key: string; licenseId?: string }>> {
    const res = await fetch(`${url}/holds`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as Array<{ key: string; licenseId?: string }>;
  }

  it('orders once: the replay after the restart gets the order placed before the kill', { timeout: 300_000 }, async () => {
    const vendor = startProcess(process.execPath, [TSX, 'test/fixtures/sandboxes/fixturevendor/cli.ts', '--token', TOKEN, '--late-ms', String(LATE_MS)]);
    processes.push(vendor);
    const url = (await vendor.waitFor(/listening on (\S+)/))[1]!;

    const dataDir = mkdtempSync(join(tmpdir(), 'procure-fixture-kill9-'));
    dirs.push(dataDir);
    seedFixtureToken(dataDir);
    const requestId = 'fixture-kill9-1';
    const purchaseId = purchaseIdFor(requestId);
    const request = fixtureRequest(requestId, { plan: 'team', seats: 2 }, 'kill -9');
    const runtime = startProcess(process.execPath, [...TSX_LOADER, 'test/fixture-vendor/support/local-child.ts', dataDir, url, JSON.stringify(request)]);
    processes.push(runtime);
    expect((await runtime.waitFor(/submitted (\d+)/, 240_000))[1]).toBe('202');

    const link = await waitFor('the approval mail', () => outboxApprovalLink(join(dataDir, 'outbox')));
    expect((await decide(link, 'approve', 'go')).status).toBe(200);
    // The vendor has placed the order and holds its answer: now the runtime dies.
    await waitFor('the order at the vendor', async () => (await ordersAt(url)).some((o) => o.key === purchaseId));
    expect((await killNow(runtime)).signal).toBe('SIGKILL');

    const rt = await startLocalRuntime({ ...fixtureRuntimeOptions(dataDir, url), log: () => {} });
    reopened = e2eHandle(rt, []);
    const execution = await rt.executions.wait(purchaseId, { timeoutMs: 60_000 });

    // The killed run's execution went on from BuySeats, the step it was in.
    expect(rt.interrupted).toEqual([]);
    expect(rt.resumed).toEqual([expect.objectContaining({ purchaseId, state: 'BuySeats' })]);
    expect(execution.status).toBe('SUCCEEDED');
    const orders = (await ordersAt(url)).filter((o) => o.key === purchaseId);
    expect(orders).toMatchObject([{ seats: 2 }]);
    expect(await purchaseRecord(reopened, purchaseId)).toMatchObject({ status: 'COMPLETED', licenseId: orders[0]!.id });
    expect((await holdsAt(url)).filter((h) => h.key === purchaseId)).toMatchObject([{ licenseId: orders[0]!.id }]);
    expect(await reservation(reopened, purchaseId)).toMatchObject({ status: 'COMMITTED', amountCents: 800 });
    // The first run's order was in flight at the kill; the run after the restart replayed it.
    const calls = (await auditTrail(reopened, purchaseId)).filter((a) => a.type === 'VENDOR_CALL').map((a) => a.message);
    expect(calls).toEqual(['Ordering 2 team seat(s)', 'Ordering 2 team seat(s) (again: the earlier answer was lost)']);
  });
});

/** Writes <dataDir>/secrets.json holding the vendor's token for the Fixture Vendor's secret; the runtime adds the others. */
function seedFixtureToken(dataDir: string): void {
  const template = fixtureTemplate() as Parameters<typeof secretLogicalIdIn>[0];
  seedSecret(dataDir, secretLogicalIdIn(template, secretArnEnv('fixturevendor')), { token: TOKEN });
}
