import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_HOLD_ENV } from '../../lib/cli/local-options';
import { EventJournal } from '../../lib/local/event-journal';
import { runCli } from '../support/cli';
import { approvalMailOfThisRun, auditTrail, decide, postPurchase, purchaseIdFor, purchaseRecord, scanTable, type E2e } from '../support/e2e-runtime';
import { taggedPurchaseId, type VendorCartItem } from '../support/external-cocalc';
import { cocalcSecretLogicalId, killableCases } from '../support/killable-local';
import { cocalcRequest } from '../support/requests';

/**
 * Issue 9: what `procure local` acknowledged survives `kill -9`. The runtime runs as its own process
 * (the CLI) on a data folder, CoCalc in another (`procure sandbox cocalc`); each case acknowledges a
 * request, kills the runtime with SIGKILL, opens the same folder again in this process and checks
 * procure's records and the vendor's.
 *
 *   (a) PutEvents acknowledged, Intake not yet run (PROCURE_LOCAL_EVENT_HOLD=before-invoke holds the
 *       delivery): the restart delivers the event from the journal, and the purchase completes once
 *       with one license at the vendor.
 *   (b) PutEvents acknowledged, Intake ran, the delivery not yet marked done (after-invoke hold): the
 *       restart delivers the event again, Intake finds its requestId and creates nothing: still one
 *       purchase and one execution (cut off by the kill, going on where it stood), one license.
 *   (c) POST /purchases answered: the response is sent after Intake returned, so the purchase record,
 *       its REQUEST_RECEIVED entry and its execution record are already on disk; nothing to change.
 *       The restart lets the execution go on, and the client's retry gets that purchase.
 */

/** Long enough that the kill always comes first. */
const HOLD_MS = 600_000;
const CASE_TIMEOUT_MS = 300_000;

describe('procure local killed with SIGKILL right after acknowledging a request, CoCalc in another process', () => {
  let secretId: string;
  const cases = killableCases(() => secretId);
  const { begin, kill } = cases;

  beforeAll(async () => {
    // Synthesizes cdk.out when a source is newer than it, so the runtimes below start without it.
    secretId = await cocalcSecretLogicalId();
  }, 300_000);

  afterEach(cases.cleanup);

  /** `procure submit [--event]` of a CoCalc request; its CLI output. */
  async function submit(dataDir: string, requestId: string, viaEvent: boolean): Promise<string> {
    const file = join(dataDir, `${requestId}.json`);
    writeFileSync(file, JSON.stringify(cocalcRequest({ requestId })));
    const r = await runCli(['submit', file, ...(viaEvent ? ['--event'] : []), '--data-dir', dataDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.stdout;
  }

  /** The purchase records of a requestId (PURCHASE#... items). */
  async function purchasesOf(e2e: E2e, requestId: string): Promise<Array<Record<string, unknown>>> {
    return (await scanTable(e2e, e2e.stateTable)).filter((i) => String(i.pk).startsWith('PURCHASE#') && i.requestId === requestId);
  }

  /** No delivery failed, and once the runtime is closed nothing is left undelivered in the folder's journal. */
  async function expectDelivered(e2e: E2e, dataDir: string): Promise<void> {
    expect(e2e.rt.eventDeliveryFailures).toEqual([]);
    await cases.closeReopened();
    const journal = EventJournal.open(join(dataDir, 'events', 'journal.jsonl'));
    try {
      expect(journal.pending()).toEqual([]);
    } finally {
      journal.close();
    }
  }

  /** Exactly one purchase, one execution and one REQUEST_RECEIVED for the request, ended once by `terminal`. */
  async function expectOnePurchase(e2e: E2e, requestId: string, purchaseId: string, terminal: 'COMPLETED' | 'NOT_COMPLETED'): Promise<void> {
    expect(await purchasesOf(e2e, requestId)).toHaveLength(1);
    expect(e2e.rt.executions.list().filter((x) => x.name === purchaseId)).toHaveLength(1);
    const trail = (await auditTrail(e2e, purchaseId)).map((a) => a.type);
    expect(trail.filter((t) => t === 'REQUEST_RECEIVED')).toHaveLength(1);
    expect(trail.filter((t) => t === terminal)).toHaveLength(1);
  }

  const ours = (items: VendorCartItem[], purchaseId: string): VendorCartItem[] => items.filter((i) => taggedPurchaseId(i) === purchaseId);

  /** Approves the purchase through the link mailed by this runtime, and waits for it to COMPLETE. */
  async function approveAndComplete(e2e: E2e, purchaseId: string): Promise<void> {
    const { link } = await approvalMailOfThisRun(e2e, purchaseId, 120_000);
    const decided = await decide(link, 'approve');
    expect(decided.status, decided.text).toBe(200);
    const done = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 120_000 });
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect((await purchaseRecord(e2e, purchaseId))?.status).toBe('COMPLETED');
  }

  it(
    '(a) killed after PutEvents was acknowledged and before Intake ran: the restart delivers the event, and the purchase completes once with one license',
    async () => {
      const requestId = 'kill9-event-undelivered';
      const purchaseId = purchaseIdFor(requestId);
      const { vendor, dataDir, local } = await begin('event-held', { [EVENT_HOLD_ENV]: `before-invoke:${HOLD_MS}` });
      const out = await submit(dataDir, requestId, true);
      const eventId = /^event (\S+) put on bus/m.exec(out)?.[1];
      expect(eventId, out).toBeDefined();

      // Acknowledged, on disk, and not delivered: Intake has not run, so no purchase exists.
      await local.waitFor(new RegExp(`events: holding ${eventId} -> \\S+ for ${HOLD_MS} ms before delivery`), 30_000);
      const journalFile = join(dataDir, 'events', 'journal.jsonl');
      expect(readFileSync(journalFile, 'utf8')).toContain(`"id":"${eventId}"`);
      expect(statSync(journalFile).mode & 0o777).toBe(0o600);
      const status = await runCli(['status', purchaseId, '--data-dir', dataDir]);
      expect(status.code, status.stdout).not.toBe(0);
      expect(status.stdout + status.stderr).toMatch(/404|not found/i);
      await kill(local);

      const e2e = await cases.reopen(dataDir, vendor.url);
      expect(e2e.rt.redeliveredEvents).toEqual([eventId]);
      expect(e2e.rt.interrupted).toEqual([]);
      expect(e2e.logs).toContainEqual(expect.stringMatching(new RegExp(`^events: 1 event\\(s\\) accepted before the last stop .*${eventId}`)));

      await approveAndComplete(e2e, purchaseId);
      await e2e.rt.eventsIdle();
      await expectOnePurchase(e2e, requestId, purchaseId, 'COMPLETED');
      expect(await vendor.licenses()).toHaveLength(1);
      expect(ours(await vendor.cart({ purchased: true }), purchaseId)).toHaveLength(1);
      await expectDelivered(e2e, dataDir);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    '(b) killed after Intake ran and before the delivery was marked done: the restart delivers the event again, Intake creates nothing new, and the cut-off execution completes the purchase once',
    async () => {
      const requestId = 'kill9-event-redelivered';
      const purchaseId = purchaseIdFor(requestId);
      const { vendor, dataDir, local } = await begin('event-ran', { [EVENT_HOLD_ENV]: `after-invoke:${HOLD_MS}` });
      const out = await submit(dataDir, requestId, true);
      const eventId = /^event (\S+) put on bus/m.exec(out)?.[1];
      // Intake succeeded (its purchase record and execution exist); the journal still says pending.
      await local.waitFor(new RegExp(`events: holding ${eventId} -> \\S+ for ${HOLD_MS} ms after delivery`), 120_000);
      await kill(local);

      const e2e = await cases.reopen(dataDir, vendor.url);
      expect(e2e.rt.redeliveredEvents).toEqual([eventId]);
      // The execution the first delivery started was cut off by the kill: it goes on where it stood.
      expect(e2e.rt.interrupted).toEqual([]);
      expect(e2e.rt.resumed.map((i) => i.purchaseId)).toEqual([purchaseId]);
      await e2e.rt.eventsIdle();
      expect(e2e.logs).toContainEqual(expect.stringMatching(/purchase request accepted.*"existing":true/));

      // The second delivery found the requestId: one purchase, one execution, one REQUEST_RECEIVED, one license.
      await approveAndComplete(e2e, purchaseId);
      await expectOnePurchase(e2e, requestId, purchaseId, 'COMPLETED');
      expect((await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'RESUMED')).toHaveLength(1);
      expect(await vendor.licenses()).toHaveLength(1);
      expect(ours(await vendor.cart({ purchased: true }), purchaseId)).toHaveLength(1);
      await expectDelivered(e2e, dataDir);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    '(c) killed right after POST /purchases answered: the purchase and its execution were already on disk; the restart lets it go on, a retry gets it back, and it completes once',
    async () => {
      const requestId = 'kill9-post-answered';
      const purchaseId = purchaseIdFor(requestId);
      const { vendor, dataDir, local } = await begin('post');
      const out = await submit(dataDir, requestId, false);
      expect(out).toContain(`purchase ${purchaseId}: RECEIVED, submitted`);
      await kill(local);

      const e2e = await cases.reopen(dataDir, vendor.url);
      expect(e2e.rt.redeliveredEvents).toEqual([]);
      expect(e2e.rt.interrupted).toEqual([]);
      expect(e2e.rt.resumed.map((i) => i.purchaseId)).toEqual([purchaseId]);
      expect(await purchasesOf(e2e, requestId)).toHaveLength(1);
      const trail = (await auditTrail(e2e, purchaseId)).map((a) => a.type);
      expect(trail[0]).toBe('REQUEST_RECEIVED');
      expect(trail).toContain('RESUMED');

      // The client that retries (same requestId, same body) is told about that purchase; nothing new starts.
      const again = await postPurchase(e2e.rt, cocalcRequest({ requestId }));
      expect(again.status, again.text).toBe(200);
      expect(again.json).toMatchObject({ purchaseId, existing: true });
      await approveAndComplete(e2e, purchaseId);
      await expectOnePurchase(e2e, requestId, purchaseId, 'COMPLETED');
      expect(await vendor.licenses()).toHaveLength(1);
      expect(ours(await vendor.cart({ purchased: true }), purchaseId)).toHaveLength(1);
    },
    CASE_TIMEOUT_MS,
  );
});
