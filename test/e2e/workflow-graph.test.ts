import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { INTERSERVER_STATES } from '../../lambdas/vendors/interserver/core/states';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE } from '../../lambdas/core/workflow';
import { writeRuntimeInfo } from '../../lib/cli/runtime-file';
import { runCli } from '../support/cli';
import { decidePurchase, E2E_TEST_TIMEOUT_MS, postPurchase, purchaseIdFor, purchaseRecord, startProcure, waitFor, type E2e } from '../support/e2e-runtime';
import { cocalcRequest, interserverRequest } from '../support/requests';

const stateClasses = (svg: string) => new Map([...svg.matchAll(/<g class="(state[^"]*)" data-state="([^"]*)"/g)].map((m) => [m[2]!, m[1]!.split(' ')]));
const marked = (svg: string, mark: string) => [...stateClasses(svg)].filter(([, c]) => c.includes(mark)).map(([name]) => name);
const takenEdges = (svg: string) =>
  [...svg.matchAll(/<g class="edge [^"]*\btaken\b[^"]*" data-from="([^"]*)" data-to="([^"]*)"/g)].map((m) => `${m[1]}>${m[2]}`);

/**
 * Issue #13 §6 end to end: `procure graph --purchase` against the local runtime, found through
 * runtime.json as `npm start` records it, reads the purchase (GET /purchases/{id}) and its
 * execution's history (GetExecutionHistory on the runtime's Step Functions endpoint), and marks
 * exactly the states the execution entered, the transitions it took and where it is.
 */
describe('procure graph --purchase on the local runtime', { timeout: E2E_TEST_TIMEOUT_MS * 2 }, () => {
  let e2e: E2e;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'procure-e2e-graph-'));
    e2e = await startProcure({ dataDir });
    const { rt } = e2e;
    writeRuntimeInfo({ apiUrl: rt.apiUrl, eventsEndpoint: rt.awsEndpoint, region: rt.region, pid: process.pid }, dataDir);
  });
  afterAll(async () => {
    await e2e?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const graph = (args: string[]) => runCli(['graph', ...args, '--data-dir', dataDir], { timeoutMs: 90_000 });
  /** What the runtime itself recorded: the states entered, in order. */
  const enteredStates = (purchaseId: string) =>
    e2e.rt.executions
      .history(purchaseId)
      .filter((s) => s.type === 'StateEntered')
      .map((s) => s.state!);

  it('marks the states a completed purchase visited, the transitions it took, and the state it ended in', async () => {
    const request = cocalcRequest({ requestId: 'graph-cocalc-1' });
    const purchaseId = purchaseIdFor('graph-cocalc-1');
    expect((await postPurchase(e2e.rt, request)).status).toBe(202);
    await decidePurchase(e2e, purchaseId, 'approve');
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');

    const out = join(dataDir, 'completed.svg');
    const cli = await graph(['--purchase', purchaseId, '--out', out]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`^wrote ${out}: 13 states, \\d+ transitions; purchase ${purchaseId}: \\d+ states visited, ended at RecordCompleted`));
    const svg = readFileSync(out, 'utf8');

    const entered = enteredStates(purchaseId);
    expect(marked(svg, 'visited').sort()).toEqual([...new Set(entered)].sort());
    expect(marked(svg, 'visited')).toEqual(
      expect.arrayContaining([
        STATE.PreparePurchase,
        STATE.CartSlotReady,
        STATE.RequestApproval,
        COCALC_STATES.Checkout,
        STATE.VerifyLicense,
        STATE.RecordCompleted,
      ]),
    );
    for (const never of [INTERSERVER_STATES.BuyLicense, STATE.AutoApprove, STATE.RecordNotCompleted, STATE.PurchaseNotCompleted])
      expect(marked(svg, 'visited')).not.toContain(never);
    expect(marked(svg, 'current')).toEqual([STATE.RecordCompleted]);
    const consecutive = new Set(entered.slice(1).map((s, i) => `${entered[i]}>${s}`));
    expect(takenEdges(svg).sort()).toEqual([...consecutive].sort());
    expect(svg).toContain(`purchase ${purchaseId} · COMPLETED · execution SUCCEEDED, ended at RecordCompleted`);
  });

  it('marks where a running purchase is now: the approval it waits for', async () => {
    const purchaseId = purchaseIdFor('graph-interserver-1');
    expect((await postPurchase(e2e.rt, interserverRequest({ requestId: 'graph-interserver-1' }))).status).toBe(202);
    // RequestApproval entered, and its Lambda has recorded the wait (on a busy host a moment later).
    await waitFor(
      'the purchase to wait for approval',
      async () =>
        (enteredStates(purchaseId).includes(STATE.RequestApproval) && (await purchaseRecord(e2e, purchaseId))?.status === 'AWAITING_APPROVAL') || undefined,
      60_000,
    );

    const cli = await graph(['--purchase', purchaseId]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(marked(cli.stdout, 'current')).toEqual([STATE.RequestApproval]);
    expect(marked(cli.stdout, 'visited').sort()).toEqual([...new Set(enteredStates(purchaseId))].sort());
    expect(marked(cli.stdout, 'visited')).not.toContain(COCALC_STATES.AddToCart);
    expect(cli.stdout).toContain(`purchase ${purchaseId} · AWAITING_APPROVAL · execution RUNNING, now at RequestApproval`);
  });

  it('says so for a purchase that does not exist, and draws nothing', async () => {
    const unknown = purchaseIdFor('graph-never-submitted');
    const cli = await graph(['--purchase', unknown, '--out', join(dataDir, 'unknown.svg')]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`error: no purchase ${unknown} (GET /purchases/${unknown} answered 404)`);
    expect(cli.stdout).toBe('');
  });
});
