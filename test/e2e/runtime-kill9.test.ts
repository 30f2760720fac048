import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../lambdas/core/reconcile-runner';
import { EVENTS, FINAL_STATUSES, STATE, type PurchaseStatus } from '../../lambdas/core/workflow';
import { runCli } from '../support/cli';
import {
  approvalMailOfThisRun,
  auditTrail,
  budgetCounter,
  decide,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  waitFor,
  workflowEvents,
  type E2e,
} from '../support/e2e-runtime';
import { taggedPurchaseId, type ExternalCocalc, type VendorCartItem } from '../support/external-cocalc';
import { cocalcSecretLogicalId, killableCases, outboxApprovalLink, type KillableCase } from '../support/killable-local';
import { cocalcRequest } from '../support/requests';

/**
 * `kill -9` of `procure local` at each step of a CoCalc purchase, with the CoCalc sandbox in
 * another process (`procure sandbox cocalc`), so the vendor's state survives the runtime's death
 * and vendor calls in flight complete without it, as they would at the real vendor. The runtime
 * reaches CoCalc through PROCURE_COCALC_BASE_URL, with the account's own key.
 *
 * Each case kills the runtime process with SIGKILL at one moment, lets the vendor finish what it
 * was doing, opens the same data folder again (the start lets what the killed run left running go
 * on from the step it had reached), lets the purchase end and runs the reconciler, then checks the
 * vendor's own records (cart, bought items, licenses, balance, read with the account's key) and
 * procure's (status, terminal audit entry, event, budget):
 *   (a) PreparePurchase's `shopping/cart/add` in flight: the vendor adds the item (checked) after the kill;
 *       PreparePurchase, run again, adopts that item instead of adding a second, and the purchase is
 *       approved and bought once;
 *   (b) waiting for approval: the item sits parked in the cart; the approval step mails a fresh
 *       link (the old one is dead), the approver rejects, the item is deleted, nothing is bought;
 *   (c) the checkout in flight after `procure approve`: the vendor buys after the kill; Checkout,
 *       run again, finds the outcome at the vendor instead of checking out again.
 *
 * The restart runs in this process (startLocalRuntime on the same folder and the same CoCalc URL)
 * because `procure local` runs the reconciler only at the template's rate (every 10 minutes) and
 * has no option to shorten it; `rt.runSchedules()` runs the same synthesized Reconcile function now.
 */

/** How long the vendor holds a faulted call before it takes effect: well past the kill, well under the client's 15 s timeout. */
const VENDOR_DELAY_MS = 5000;
const STARTING_BALANCE = 1000;
/** Per case: two runtime starts (one may synthesize), a purchase up to the kill, the vendor's delay. */
const CASE_TIMEOUT_MS = 300_000;

interface Killed {
  vendor: ExternalCocalc;
  dataDir: string;
  purchaseId: string;
}

describe('procure local killed with SIGKILL mid-purchase, CoCalc in another process', () => {
  let secretId: string;
  const cases = killableCases(() => secretId);
  const { cleanup, kill } = cases;

  beforeAll(async () => {
    // Synthesizes cdk.out when a source is newer than it, so the runtimes below start without it.
    secretId = await cocalcSecretLogicalId();
  }, 300_000);

  /** A vendor process, a data folder holding its key, and `procure local` serving on it. */
  async function begin(name: string): Promise<KillableCase> {
    const started = await cases.begin(name);
    const { vendor, local } = started;
    expect(await vendor.balance()).toBe(STARTING_BALANCE); // the key reaches the account
    expect(local.stdout).toMatch(new RegExp(`CoCalc\\s+${vendor.url.replace(/[.]/g, '\\.')}\\s+\\(PROCURE_COCALC_BASE_URL\\)`));
    return started;
  }

  /** `procure submit` of a CoCalc request through the running runtime; its purchase id. */
  async function submit(dataDir: string, requestId: string): Promise<string> {
    const file = join(dataDir, 'request.json');
    writeFileSync(file, JSON.stringify(cocalcRequest({ requestId })));
    const submitted = await runCli(['submit', file, '--data-dir', dataDir]);
    expect(submitted.code, submitted.stderr).toBe(0);
    return purchaseIdFor(requestId);
  }

  /** Waits until the vendor has taken the one faulted call (its counter is spent): the call is in flight. */
  async function callInFlight(vendor: ExternalCocalc, what: string): Promise<void> {
    await waitFor(`${what} to reach the vendor`, async () => (await vendor.faults()).delayThenApplyNext === 0, 120_000);
  }

  /** The same folder opened again: the killed run's execution goes on from the step it had reached. */
  async function reopen({ vendor, dataDir, purchaseId }: Killed, step: string): Promise<E2e> {
    const reopened = await cases.reopen(dataDir, vendor.url);
    expect(reopened.rt.interrupted).toEqual([]);
    expect(reopened.rt.resumed).toEqual([expect.objectContaining({ purchaseId, state: step })]);
    expect((await auditTrail(reopened, purchaseId)).filter((a) => a.type === 'RESUMED').map((a) => a.detail?.state)).toEqual([step]);
    return reopened;
  }

  /** Decides the approval this runtime mailed (the killed run's links died with it), and waits for the end. */
  async function decideAndEnd(e2e: E2e, purchaseId: string, decision: 'approve' | 'reject'): Promise<void> {
    const { link } = await approvalMailOfThisRun(e2e, purchaseId, 120_000);
    const decided = await decide(link, decision, decision === 'reject' ? 'not this month' : undefined);
    expect(decided.status, decided.text).toBe(200);
    await e2e.rt.executions.wait(purchaseId, { timeoutMs: 120_000 });
  }

  /** One run of the reconciler (the schedule's synthesized function); its report. */
  async function reconcile(e2e: E2e): Promise<ReconcileReport> {
    // The template has two schedules: the reconciler's and the approval follow-ups'.
    const runs = (await e2e.rt.runSchedules()).filter((r) => r.functionLogicalId === e2e.rt.functions.Reconcile);
    expect(runs).toHaveLength(1);
    expect(runs[0], JSON.stringify(runs[0])).toMatchObject({ ok: true });
    return runs[0]!.result as ReconcileReport;
  }

  /** Ended: a final status (never left INTERRUPTED), exactly one terminal audit entry that says so, and its event. */
  async function expectEnded(
    e2e: E2e,
    purchaseId: string,
    allowed: readonly PurchaseStatus[],
  ): Promise<{ status: PurchaseStatus; reason: string; message: string }> {
    const record = await purchaseRecord(e2e, purchaseId);
    const status = record?.status as PurchaseStatus;
    const trail = await auditTrail(e2e, purchaseId);
    const summary = `record ${JSON.stringify(record)}\naudit:\n${trail.map((a) => `${a.type} ${a.status} ${a.actor}: ${a.message ?? ''}`).join('\n')}`;
    expect(allowed, summary).toContain(status);
    expect(FINAL_STATUSES).toContain(status);
    const terminal = trail.filter((a) => a.type === 'COMPLETED' || a.type === 'NOT_COMPLETED');
    expect(terminal, summary).toHaveLength(1);
    expect(terminal[0]!.status, summary).toBe(status);
    const events = workflowEvents(e2e.rt, purchaseId);
    const type = status === 'COMPLETED' ? EVENTS.completed : status === 'REJECTED' ? EVENTS.rejected : EVENTS.failed;
    expect(
      events.map((e) => [e['detail-type'], (e.detail as { status?: string }).status]),
      summary,
    ).toContainEqual([type, status === 'COMPLETED' ? undefined : status]);
    return { status, reason: String(record?.reason ?? ''), message: terminal[0]!.message ?? '' };
  }

  /** The vendor's cart and saved-for-later items hold nothing procure tagged that is not bought. */
  async function expectNoUnboughtProcureItems(vendor: ExternalCocalc): Promise<void> {
    const unbought = [...(await vendor.cart()), ...(await vendor.cart({ removed: true }))].filter((i) => taggedPurchaseId(i) !== undefined);
    expect(unbought, 'procure-tagged items left unpurchased at the vendor').toEqual([]);
  }

  async function expectBudgetReleased(e2e: E2e, purchaseId: string): Promise<void> {
    expect((await reservation(e2e, purchaseId))?.status).toBe('RELEASED');
    expect((await budgetCounter(e2e, 'cocalc')).holders).not.toHaveProperty(purchaseId);
  }

  /** Vendor items tagged for `purchaseId`. */
  const ours = (items: VendorCartItem[], purchaseId: string): VendorCartItem[] => items.filter((i) => taggedPurchaseId(i) === purchaseId);

  describe('killed before money can move', () => {
    afterEach(cleanup);

    it(
      '(a) killed while cart/add is in flight: the item the vendor adds afterwards is adopted, not added again, and bought once when approved',
      async () => {
        const { vendor, dataDir, local } = await begin('add');
        await vendor.setFaults({ delayThenApplyNext: 1, delayThenApplyMs: VENDOR_DELAY_MS, operations: ['shopping/cart/add'] });
        const purchaseId = await submit(dataDir, 'kill9-during-add');
        await callInFlight(vendor, 'the cart add');
        await kill(local);
        expect(ours(await vendor.cart(), purchaseId), 'the add landed before the kill (a slow machine?)').toEqual([]);

        // The vendor completes the add after the runtime died: a CHECKED item tagged for the purchase,
        // which the account's next checkout would buy.
        const landed = await waitFor('the add to land at the vendor', async () => ours(await vendor.cart(), purchaseId)[0], 30_000);
        expect(landed.checked).toBe(true);

        const e2e = await reopen({ vendor, dataDir, purchaseId }, STATE.PreparePurchase);
        await decideAndEnd(e2e, purchaseId, 'approve');
        await expectEnded(e2e, purchaseId, ['COMPLETED']);
        const report = await reconcile(e2e);
        expect(report.actions.filter((a) => a.purchaseId === purchaseId)).toEqual([]);

        // The item the killed run's add created is the one bought: no second add, one license.
        await expectNoUnboughtProcureItems(vendor);
        expect(ours(await vendor.cart({ purchased: true }), purchaseId).map((i) => i.id)).toEqual([landed.id]);
        const [license] = await vendor.licenses();
        expect(await vendor.licenses()).toHaveLength(1);
        const record = await purchaseRecord(e2e, purchaseId);
        expect(record?.licenseId).toBe(license!.id);
        expect(Math.round((await vendor.balance()) * 100)).toBe(Math.round((STARTING_BALANCE - (record?.amountUsd as number)) * 100));
        expect((await reservation(e2e, purchaseId))?.status).toBe('COMMITTED');
      },
      CASE_TIMEOUT_MS,
    );

    it(
      '(b) killed while waiting for approval: a fresh link is mailed, the old one decides nothing; rejected, the parked item is deleted and the budget released',
      async () => {
        const { vendor, dataDir, local } = await begin('approval');
        const purchaseId = await submit(dataDir, 'kill9-awaiting-approval');
        const link = await waitFor('the approval mail in the outbox', () => outboxApprovalLink(join(dataDir, 'outbox')), 120_000);
        const parked = await waitFor(
          'the item parked unchecked at the vendor',
          async () => ours(await vendor.cart(), purchaseId).find((i) => i.checked === false),
          30_000,
        );
        await kill(local);
        expect(ours(await vendor.cart(), purchaseId).map((i) => i.id)).toEqual([parked.id]);

        const e2e = await reopen({ vendor, dataDir, purchaseId }, STATE.RequestApproval);
        const u = new URL(link);
        const page = await (await fetch(new URL(u.pathname + u.search, e2e.rt.apiUrl))).text();
        expect(page).not.toMatch(/<button[^>]*>\s*Approve/i);
        await decideAndEnd(e2e, purchaseId, 'reject');
        await expectEnded(e2e, purchaseId, ['REJECTED']);
        await reconcile(e2e);

        await expectNoUnboughtProcureItems(vendor);
        expect(ours(await vendor.cart({ purchased: true }), purchaseId)).toEqual([]);
        expect(await vendor.licenses()).toEqual([]);
        expect(await vendor.balance()).toBe(STARTING_BALANCE);
        await expectBudgetReleased(e2e, purchaseId);
      },
      CASE_TIMEOUT_MS,
    );
  });

  describe('(c) killed while the checkout is in flight (after `procure approve`)', () => {
    let killed: Killed & { e2e: E2e; itemId: number; licenseId: string; ended: { status: PurchaseStatus; reason: string; message: string } };

    beforeAll(async () => {
      const { vendor, dataDir, local } = await begin('checkout');
      const purchaseId = await submit(dataDir, 'kill9-during-checkout');
      const link = await waitFor('the approval mail in the outbox', () => outboxApprovalLink(join(dataDir, 'outbox')), 120_000);
      await vendor.setFaults({ delayThenApplyNext: 1, delayThenApplyMs: VENDOR_DELAY_MS, operations: ['purchases/shopping-cart-checkout'] });
      const approved = await runCli(['approve', link]);
      expect(approved.code, approved.stdout + approved.stderr).toBe(0);
      await callInFlight(vendor, 'the checkout');
      await kill(local);
      expect(ours(await vendor.cart({ purchased: true }), purchaseId), 'the checkout landed before the kill (a slow machine?)').toEqual([]);

      // The vendor completes the checkout after the runtime died.
      const bought = await waitFor('the checkout to land at the vendor', async () => ours(await vendor.cart({ purchased: true }), purchaseId)[0], 30_000);
      const licenseId = bought.purchased?.license_id;
      expect(licenseId).toBeDefined();

      const e2e = await reopen({ vendor, dataDir, purchaseId }, COCALC_STATES.Checkout);
      await e2e.rt.executions.wait(purchaseId, { timeoutMs: 120_000 });
      const ended = await expectEnded(e2e, purchaseId, ['COMPLETED', 'NEEDS_ATTENTION']);
      await reconcile(e2e);
      killed = { vendor, dataDir, purchaseId, e2e, itemId: bought.id, licenseId: licenseId!, ended };
    }, CASE_TIMEOUT_MS);
    afterAll(cleanup);

    it('the license is bought once for the approved amount; COMPLETED commits the budget, NEEDS_ATTENTION keeps it and says what to check', async () => {
      const { vendor, e2e, purchaseId, itemId, licenseId, ended } = killed;
      const record = await purchaseRecord(e2e, purchaseId);
      const amountUsd = record?.amountUsd as number;
      expect(amountUsd).toBeGreaterThan(0);
      expect(ours(await vendor.cart({ purchased: true }), purchaseId).map((i) => i.id)).toEqual([itemId]);
      expect((await vendor.licenses()).map((l) => l.id)).toEqual([licenseId]);
      expect(Math.round((await vendor.balance()) * 100)).toBe(Math.round((STARTING_BALANCE - amountUsd) * 100));
      await expectNoUnboughtProcureItems(vendor);

      // Held while the outcome needs a person; committed (total kept, no longer named) once bought.
      const held = (await budgetCounter(e2e, 'cocalc')).holders[purchaseId];
      expect(held).toBe(ended.status === 'COMPLETED' ? undefined : Math.round(amountUsd * 100));
      if (ended.status === 'COMPLETED') {
        expect(record?.licenseId).toBe(licenseId);
        expect((await reservation(e2e, purchaseId))?.status).toBe('COMMITTED');
        return;
      }
      // NEEDS_ATTENTION: money moved and procure did not see the outcome. The budget stays counted
      // and the approvers are told what to check at the vendor (mail, event, terminal audit entry).
      expect((await reservation(e2e, purchaseId))?.status).toBe('RESERVED');
      expect(ended.reason).toMatch(/CoCalc purchase call started and did not report an outcome/);
      expect(ended.message).toMatch(/Check the CoCalc account/);
      const failed = workflowEvents(e2e.rt, purchaseId).find((e) => e['detail-type'] === EVENTS.failed)!.detail as { check?: string[] };
      expect(failed.check?.join('\n')).toContain(`Shopping cart item ${itemId}`);
      expect(e2e.rt.mails.map((m) => m.subject)).toContainEqual(expect.stringMatching(new RegExp(`^Needs attention: CoCalc .*\\(${purchaseId}\\)$`)));
    });

    it('a NEEDS_ATTENTION end: the reconciler audits the tagged item the vendor shows bought (reconcile.ts note-bought-item)', async () => {
      const { e2e, purchaseId, licenseId, ended } = killed;
      if (ended.status === 'COMPLETED') return; // the purchase accounts for its license: nothing to note
      const trail = await auditTrail(e2e, purchaseId);
      const noted = trail.filter((a) => a.type === 'RECONCILED' && a.detail?.action === 'note-bought-item');
      expect(noted, `audit:\n${trail.map((a) => `${a.type} ${a.status} ${a.actor}: ${a.message ?? ''}`).join('\n')}`).toHaveLength(1);
      expect(noted[0]!.message).toContain(`license ${licenseId}`);
    });
  });
});
