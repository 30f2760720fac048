import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { EventBridgePublisher } from '../../lambdas/adapters/aws/eventbridge-publisher';
import type { LeftoversByVendor } from '../../lambdas/core/vendor-leftovers';
import { tagDescription } from '../../lambdas/vendors/cocalc/core/cart-tag';
import { cocalcLeftovers } from '../../lambdas/vendors/cocalc/core/leftovers';
import type { EventPublisher, SpendGuard } from '../../lambdas/core/ports';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';
import { resolvePurchase } from '../../lambdas/core/resolve-purchase';
import type { FailureInfo, Quote, RecordOutcomePayload, WorkflowState } from '../../lambdas/core/workflow';
import { makeHandler, type RecordOutcomeDeps } from '../../lambdas/handlers/record-outcome';
import { FakeMailer } from '../support/fake-ports';
import { startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';
import { cocalcRequest, interserverRequest } from '../support/requests';
import { APPROVED, cocalcGatewayFor, cocalcItemOf, leftoversWith, newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

/** A caught Lambda error as Step Functions puts it at $.failure. */
function lambdaFailure(name: string, message: string): FailureInfo {
  return {
    Error: name,
    Cause: JSON.stringify({ errorType: name, errorMessage: message, trace: [`${name}: ${message}`, '    at secretFrame (/var/task/index.js:1:1)'] }),
  };
}

const MAIL = {
  approvers: ['boss@example.com', 'cfo@example.com'],
  sender: 'procure@example.com',
  apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
};

describe('RecordOutcome', () => {
  let h: StepHarness;
  let sandbox: CocalcSandbox;
  let bus: LoopbackAws;

  beforeAll(async () => {
    h = await startStepHarness();
    sandbox = await startCocalcSandbox({ throttle: false });
    bus = await startLoopbackAws(() => ({ body: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] } }));
  });
  afterAll(async () => {
    await bus.close();
    await sandbox.close();
    await h.close();
  });
  beforeEach(() => sandbox.faults.reset());

  /** A fresh vendor account and RecordOutcome wired to it (real adapters, sandbox, loopback EventBridge). */
  function world(over: Partial<RecordOutcomeDeps> = {}) {
    const { apiKey } = sandbox.addAccount({ balance: 1000 });
    const gateway: CocalcGateway = cocalcGatewayFor(sandbox.url, apiKey);
    const mailer = new FakeMailer();
    const events = new EventBridgePublisher(new EventBridgeClient(bus.clientConfig()), 'procure-bus', 'procure.workflow');
    const deps: RecordOutcomeDeps = {
      audit: h.audit,
      purchases: h.purchases,
      notices: h.notices,
      leftovers: leftoversWith(gateway),
      spendGuard: h.spendGuard,
      events,
      mailer,
      mail: MAIL,
      ...over,
    };
    return { apiKey, gateway, mailer, vendor: () => sandbox.account(apiKey), record: makeHandler(deps) };
  }
  type World = ReturnType<typeof world>;
  /** The NEEDS_ATTENTION mails (to the approvers) and the requester's notices, apart. */
  const toApprovers = (w: World) => w.mailer.outbox.filter((m) => m.to.join() === MAIL.approvers.join());
  const toRequester = (w: World, email = 'ada@example.com') => w.mailer.outbox.filter((m) => m.to.join() === email);

  /**
   * What the machine has done by the approval: quoted, reserved, our tagged item in the cart (put
   * there through the vendor gateway, so these tests do not depend on how AddToCart gets it there).
   */
  async function inCart(w: World): Promise<WorkflowState> {
    const state = await newPurchase(h, cocalcRequest());
    if (state.request.vendor !== 'cocalc') throw new Error('a CoCalc request');
    const quote: Quote = { vendor: 'cocalc', amountUsd: 18, summary: 'CoCalc site license: academic, monthly, run limit 2', autoApprove: false };
    const reservation = await h.spendGuard.reserve({ purchaseId: state.purchaseId, vendor: 'cocalc', amountUsd: quote.amountUsd, at: new Date() });
    const itemId = await w.gateway.addToCart(tagDescription(state.request.item.description, state.purchaseId));
    await h.purchases.update(state.purchaseId, { status: 'IN_CART', cartItemId: itemId, amountUsd: quote.amountUsd });
    return { ...state, quote, reservation, cart: { itemId } };
  }
  const reservedUsd = async () => (await h.spendGuard.remaining('cocalc', new Date())).reservedUsd;
  const eventsFor = (purchaseId: string) =>
    bus.requests
      .flatMap((r) => (r.body.Entries as Array<{ DetailType: string; Detail: string }>) ?? [])
      .map((e) => ({ type: e.DetailType, detail: JSON.parse(e.Detail) as Record<string, unknown> }))
      .filter((e) => e.detail.purchaseId === purchaseId);
  const trailOf = async (purchaseId: string) => (await h.audit.list(purchaseId)).map((e) => `${e.type}${e.detail?.step ? `:${String(e.detail.step)}` : ''}`);

  it('commits the reservation, completes the purchase and announces it once, even when run twice', async () => {
    const w = world();
    let state = await inCart(w);
    await w.gateway.setChecked(true, cocalcItemOf(state.cart));
    await w.gateway.checkout();
    const licenseId = (await w.gateway.getCartItem(cocalcItemOf(state.cart))).purchased!.licenseId!;
    state = {
      ...state,
      approval: { ...APPROVED },
      purchase: { vendor: 'cocalc', amountUsd: 18, licenseId, cartItemId: cocalcItemOf(state.cart), reconciled: false },
    };
    const before = await reservedUsd();
    const payload: RecordOutcomePayload = { outcome: 'COMPLETED', state };

    expect(await w.record(payload)).toEqual({ status: 'COMPLETED' });
    expect(await w.record(payload)).toEqual({ status: 'COMPLETED' });

    await h.spendGuard.release(state.purchaseId); // a committed reservation is never given back
    expect(await reservedUsd()).toBe(before);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('COMPLETED');
    expect(eventsFor(state.purchaseId)).toEqual([
      {
        type: 'License Purchase Completed',
        detail: { purchaseId: state.purchaseId, requestId: state.request.requestId, vendor: 'cocalc', licenseId, amountUsd: 18, requester: 'ada@example.com' },
      },
    ]);
    expect(toApprovers(w)).toEqual([]);
    // The requester hears once, run twice or not: the license and what it is for.
    expect(w.mailer.outbox).toHaveLength(1);
    const [notice] = toRequester(w);
    expect(notice).toMatchObject({ from: MAIL.sender, subject: `Your CoCalc purchase is complete (${state.request.requestId})` });
    for (const text of [`License: ${licenseId}`, 'Cost: $18.00', 'CoCalc site license: academic, monthly, run limit 2', 'Course project for CS101'])
      expect(notice!.text).toContain(text);
    expect((await trailOf(state.purchaseId)).slice(-2)).toEqual(['REQUESTER_NOTIFIED', 'COMPLETED']);
  });

  it('records a rejection: deletes the cart item, releases the budget, announces the rejection and tells only the requester, with the comment', async () => {
    const w = world();
    const state = await inCart(w);
    const before = await reservedUsd();
    const out = await w.record({
      outcome: 'NOT_COMPLETED',
      state: { ...state, approval: { ...APPROVED, decision: 'REJECTED', comment: 'not this term' } },
    });

    expect(out).toEqual({ status: 'REJECTED', reason: 'rejected by boss@example.com: not this term' });
    expect(w.vendor().cart).toHaveLength(0);
    expect(await reservedUsd()).toBeCloseTo(before - 18, 2);
    expect(eventsFor(state.purchaseId).map((e) => e.type)).toEqual(['License Purchase Rejected']);
    expect((await trailOf(state.purchaseId)).slice(-4)).toEqual([
      'COMPENSATED:delete-cart-item',
      'COMPENSATED:release-reservation',
      'REQUESTER_NOTIFIED',
      'NOT_COMPLETED',
    ]);
    expect((await h.purchases.get(state.purchaseId))?.cleanupPending).toBeUndefined();
    expect(toApprovers(w)).toEqual([]);
    expect(w.mailer.outbox).toHaveLength(1);
    const notice = toRequester(w)[0]!;
    expect(notice.subject).toBe(`Your CoCalc purchase was rejected (${state.request.requestId})`);
    expect(notice.text).toContain('boss@example.com rejected it. Nothing was bought.');
    expect(notice.text).toContain("The approver's comment, as they wrote it:\n    not this term");
  });

  it('calls an approval nobody answered EXPIRED and compensates', async () => {
    const w = world();
    const state = await inCart(w);
    await h.purchases.update(state.purchaseId, { status: 'AWAITING_APPROVAL' }); // as RequestApproval leaves it
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: { Error: 'States.Timeout', Cause: '' } } });
    expect(out.status).toBe('EXPIRED');
    expect(w.vendor().cart).toHaveLength(0);
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'EXPIRED' });
  });

  it('calls the approval EXPIRED when a decision reached the record but not the machine before the timeout', async () => {
    const w = world();
    const state = await inCart(w);
    // The approvals API records a decision before it learns that the task already timed out.
    await h.purchases.update(state.purchaseId, { status: 'APPROVED' });
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: { Error: 'States.Timeout', Cause: '' } } });
    expect(out.status).toBe('EXPIRED');
    expect(out.reason).toMatch(/^nobody decided on the approval in time/);
    expect(w.vendor().cart).toHaveLength(0);
  });

  it('calls an unanswered second approval round (after a quote mismatch) EXPIRED, not FAILED', async () => {
    const w = world();
    const state = await inCart(w);
    await h.purchases.update(state.purchaseId, { status: 'AWAITING_APPROVAL' }); // RequestApproval, round 2
    const firstRound = { decision: 'APPROVED' as const, approver: 'alice@example.com', decidedAt: '2030-03-01T10:00:00.000Z' };
    const mismatch = { Error: 'QuoteMismatchError', Cause: 'the vendor total is $19.00, the approved quote $18.00' };
    const out = await w.record({
      outcome: 'NOT_COMPLETED',
      state: { ...state, approval: firstRound, mismatch, failure: { Error: 'States.Timeout', Cause: '' } },
    });
    expect(out.status).toBe('EXPIRED');
    expect(w.vendor().cart).toHaveLength(0);
  });

  it('calls an invalid request INVALID, with the validation message as its reason', async () => {
    const w = world();
    const state = await newPurchase(h, cocalcRequest());
    const failure = lambdaFailure('InvalidRequestError', 'invalid purchase request: item.description.ram: ram must be between 4 and 16');
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure } });
    expect(out).toEqual({ status: 'INVALID', reason: 'InvalidRequestError: invalid purchase request: item.description.ram: ram must be between 4 and 16' });
    expect(w.vendor().cart).toHaveLength(0);
  });

  it("calls a step's own Lambda timeout before the approval FAILED, not EXPIRED", async () => {
    const w = world();
    const state = await inCart(w);
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: { Error: 'States.Timeout', Cause: 'Task timed out' } } });
    expect(out.status).toBe('FAILED');
    expect(w.vendor().cart).toHaveLength(0);
  });

  it('releases the budget of a purchase that failed before anything reached a cart', async () => {
    const w = world();
    const state = await newPurchase(h, cocalcRequest());
    await h.spendGuard.reserve({ purchaseId: state.purchaseId, vendor: 'cocalc', amountUsd: 18, at: new Date() });
    const before = await reservedUsd();
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('VendorAuthError', 'bad key') } });
    expect(out).toEqual({ status: 'FAILED', reason: 'VendorAuthError: bad key' });
    expect(await reservedUsd()).toBeCloseTo(before - 18, 2);
  });

  it('never puts a quote object or secrets into events', async () => {
    const w = world();
    const state = await inCart(w);
    await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED, decision: 'REJECTED' } } });
    const [event] = eventsFor(state.purchaseId);
    expect(Object.keys(event!.detail).sort()).toEqual(['amountUsd', 'purchaseId', 'reason', 'requestId', 'requester', 'status', 'vendor']);
    expect(state.quote!.amountUsd).toBe(event!.detail.amountUsd);
  });

  describe('money may have been spent: NEEDS_ATTENTION', () => {
    it('keeps the reservation and the cart item when the outcome is unknown, says so loudly and mails the approvers', async () => {
      const w = world();
      const state = await inCart(w);
      const before = await reservedUsd();
      const failure = lambdaFailure('PurchaseOutcomeUnknownError', 'checkout may have bought it');

      const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED }, failure } });

      expect(out).toEqual({ status: 'NEEDS_ATTENTION', reason: 'PurchaseOutcomeUnknownError: checkout may have bought it' });
      expect(await reservedUsd()).toBe(before);
      expect(w.vendor().cart).toHaveLength(1);
      const last = (await h.audit.list(state.purchaseId)).at(-1);
      expect(last).toMatchObject({ type: 'NOT_COMPLETED', status: 'NEEDS_ATTENTION', detail: { budgetReleased: false } });
      expect(last?.message).toMatch(
        /^ATTENTION: MONEY MAY HAVE BEEN SPENT\..*reservation is KEPT.*until the reconciler or a person establishes that nothing was bought/,
      );
      expect(last?.message).toContain(`npx procure resolve ${state.purchaseId} --not-bought`);
      const [event] = eventsFor(state.purchaseId);
      expect(event).toMatchObject({ type: 'License Purchase Failed', detail: { status: 'NEEDS_ATTENTION', cartItemId: cocalcItemOf(state.cart) } });
      expect((event!.detail.check as string[]).join('\n')).toContain(`Shopping cart item ${cocalcItemOf(state.cart)}`);
      expect(event!.detail.resolve).toEqual({
        bought: `npx procure resolve ${state.purchaseId} --bought <licenseId> --comment "what you found" --api ${MAIL.apiUrl}`,
        notBought: `npx procure resolve ${state.purchaseId} --not-bought --comment "what you found" --api ${MAIL.apiUrl}`,
      });

      expect(toApprovers(w)).toHaveLength(1);
      const mail = toApprovers(w)[0]!;
      expect(mail).toMatchObject({ to: MAIL.approvers, from: MAIL.sender });
      expect(mail.subject).toBe(`Needs attention: CoCalc $18.00 purchase for Ada Lovelace (${state.purchaseId})`);
      for (const text of [
        state.purchaseId,
        state.request.requestId,
        '$18.00',
        'PurchaseOutcomeUnknownError: checkout may have bought it',
        `Cart item: ${cocalcItemOf(state.cart)}`,
        '--not-bought',
      ]) {
        expect(mail.text).toContain(text);
      }
      expect((await trailOf(state.purchaseId)).slice(-3)).toEqual(['ATTENTION_MAIL_SENT', 'REQUESTER_NOTIFIED', 'NOT_COMPLETED']);
      // The requester is told it is being checked, without the internal reason or the commands.
      const notice = toRequester(w)[0]!;
      expect(notice.subject).toBe(`Your CoCalc purchase is being checked (${state.request.requestId})`);
      for (const internal of ['PurchaseOutcomeUnknownError', 'procure resolve', 'Cart item']) expect(notice.text).not.toContain(internal);
    });

    it('treats a checkout that timed out mid-purchase as NEEDS_ATTENTION and says the call never reported back', async () => {
      const w = world();
      const state = await inCart(w);
      await h.purchases.update(state.purchaseId, { status: 'PURCHASING' }); // the Lambda died inside the vendor call
      const out = await w.record({
        outcome: 'NOT_COMPLETED',
        state: { ...state, approval: { ...APPROVED }, failure: { Error: 'States.Timeout', Cause: 'Task timed out' } },
      });
      expect(out).toEqual({
        status: 'NEEDS_ATTENTION',
        reason: 'the CoCalc purchase call started and did not report an outcome: States.Timeout: Task timed out',
      });
      expect(w.vendor().cart).toHaveLength(1);
    });

    it('says a bought license that could not be verified was bought', async () => {
      const w = world();
      const state = await inCart(w);
      const purchase = { vendor: 'cocalc' as const, amountUsd: 18, licenseId: 'lic-1234', cartItemId: cocalcItemOf(state.cart), reconciled: false };
      const out = await w.record({
        outcome: 'NOT_COMPLETED',
        state: { ...state, approval: { ...APPROVED }, purchase, failure: lambdaFailure('LicenseNotFoundError', 'CoCalc does not list license lic-1234') },
      });
      expect(out.reason).toBe(
        'CoCalc license lic-1234 was bought, but the workflow failed after the purchase: LicenseNotFoundError: CoCalc does not list license lic-1234',
      );
      expect(toApprovers(w)[0]!.text).toContain('--bought lic-1234');
    });

    it('escalates to NEEDS_ATTENTION when the cart item turns out to be purchased, keeping the budget', async () => {
      const w = world();
      const state = await inCart(w);
      // Someone checked it out behind procure's back.
      await w.gateway.setChecked(true, cocalcItemOf(state.cart));
      await w.gateway.checkout();
      const before = await reservedUsd();

      const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('VendorRejectedError', 'x') } });
      expect(out).toEqual({
        status: 'NEEDS_ATTENTION',
        reason: `VendorRejectedError: x; yet CoCalc reports cart item ${cocalcItemOf(state.cart)} as PURCHASED, so money was spent`,
      });
      expect(await reservedUsd()).toBe(before);
      expect(toApprovers(w)).toHaveLength(1);
    });

    it('mails InterServer approvers the IP, license type and invoice to look for', async () => {
      const w = world();
      const state = await newPurchase(h, interserverRequest());
      const purchase = { vendor: 'interserver' as const, amountUsd: 10, invoice: 98765, reconciled: false };
      const out = await w.record({
        outcome: 'NOT_COMPLETED',
        state: {
          ...state,
          approval: { ...APPROVED },
          purchase,
          failure: lambdaFailure('VendorTransientError', 'InterServer api_make_payment: socket hang up'),
        },
      });
      expect(out.reason).toBe(
        'the InterServer purchase went through (invoice 98765) without naming a license, and the workflow failed after it: VendorTransientError: InterServer api_make_payment: socket hang up',
      );
      const text = toApprovers(w)[0]!.text;
      for (const s of ['IP 203.0.113.10', 'license type 5006', 'Invoice 98765: does it exist, and is it paid?', 'npx procure licenses --vendor interserver'])
        expect(text).toContain(s);
    });
  });

  describe('cleanup that cannot finish (the vendor down during compensation)', () => {
    it('audits the failed step, ends NEEDS_ATTENTION with the steps left, keeps the budget, announces and mails once', async () => {
      const w = world();
      const state = await inCart(w);
      const before = await reservedUsd();
      const payload: RecordOutcomePayload = { outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED, decision: 'REJECTED', comment: 'no' } } };
      sandbox.faults.set({ failNext: 1000 }); // every CoCalc call answers 503

      const out = await w.record(payload);

      expect(out.status).toBe('NEEDS_ATTENTION');
      expect(out.reason).toMatch(/^rejected by boss@example.com: no; then cleanup did not finish \(delete-cart-item: VendorTransientError: .*HTTP 503\)$/);
      const record = await h.purchases.get(state.purchaseId);
      expect(record).toMatchObject({
        status: 'NEEDS_ATTENTION',
        cleanupPending: ['delete-cart-item', 'release-reservation'],
        cartItemId: cocalcItemOf(state.cart),
        reason: out.reason,
      });
      expect(await reservedUsd()).toBe(before);
      expect(w.vendor().cart).toHaveLength(1);
      const trail = await h.audit.list(state.purchaseId);
      expect(trail.slice(-4).map((e) => e.type)).toEqual(['COMPENSATION_FAILED', 'ATTENTION_MAIL_SENT', 'REQUESTER_NOTIFIED', 'NOT_COMPLETED']);
      expect(trail.at(-4)).toMatchObject({
        detail: { step: 'delete-cart-item', error: 'VendorTransientError', cartItemId: cocalcItemOf(state.cart) },
      });
      const closing = trail.at(-1)!;
      expect(closing).toMatchObject({
        status: 'NEEDS_ATTENTION',
        detail: { budgetReleased: false, cleanupPending: ['delete-cart-item', 'release-reservation'], statusAfterCleanup: 'REJECTED' },
      });
      expect(closing.message).toMatch(
        /reservation is KEPT \(\$18\.00, counted against the CoCalc monthly cap\) until the reconciler or a person establishes that nothing was bought/,
      );
      expect(closing.message).toContain('Cleanup left to the reconciler: delete-cart-item, release-reservation.');
      expect(eventsFor(state.purchaseId)).toMatchObject([
        { type: 'License Purchase Failed', detail: { status: 'NEEDS_ATTENTION', cleanupPending: ['delete-cart-item', 'release-reservation'] } },
      ]);
      const mail = toApprovers(w)[0]!;
      expect(mail.text).toContain('procure could not finish cleaning up at CoCalc');
      expect(mail.text).toContain(`procure could not delete cart item ${cocalcItemOf(state.cart)}; the reconciler retries the delete.`);
      expect(mail.text).toContain('Cleanup not finished: delete-cart-item, release-reservation');

      // A retry by the machine changes nothing and sends nothing twice.
      expect(await w.record(payload)).toEqual(out);
      expect(toApprovers(w)).toHaveLength(1);
      expect(toRequester(w)).toHaveLength(1);
      expect(eventsFor(state.purchaseId)).toHaveLength(1);
    });

    it("refuses leftovers wired under another vendor's name: the step is audited as failed and left pending, nothing is deleted", async () => {
      let gateway: CocalcGateway | undefined;
      // CoCalc's leftovers, mislabelled as InterServer's, under CoCalc's name.
      const mislabelled = { ...cocalcLeftovers(async () => gateway!), vendor: 'interserver' } as unknown as LeftoversByVendor['cocalc'];
      const w = world({ leftovers: { cocalc: mislabelled, interserver: null } });
      gateway = w.gateway;
      const state = await inCart(w);
      const payload: RecordOutcomePayload = { outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED, decision: 'REJECTED', comment: 'no' } } };

      const out = await w.record(payload);

      expect(out.status).toBe('NEEDS_ATTENTION');
      expect(out.reason).toContain('delete-cart-item: Error: no leftovers of cocalc are wired (found interserver)');
      expect(await h.purchases.get(state.purchaseId)).toMatchObject({ cleanupPending: ['delete-cart-item', 'release-reservation'] });
      expect(w.vendor().cart).toHaveLength(1);
      expect(await trailOf(state.purchaseId)).toContain('COMPENSATION_FAILED:delete-cart-item');
    });

    it('treats a recorded item of a vendor wired with no leftovers as cleanup that could not finish, not as nothing to do', async () => {
      const w = world({ leftovers: { cocalc: null, interserver: null } });
      const state = await inCart(w);
      const before = await reservedUsd();
      const payload: RecordOutcomePayload = { outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED, decision: 'REJECTED', comment: 'no' } } };

      const out = await w.record(payload);

      expect(out.status).toBe('NEEDS_ATTENTION');
      expect(out.reason).toContain(
        `delete-cart-item: Error: CoCalc item ${cocalcItemOf(state.cart)} is recorded, but no leftovers of cocalc are wired to take it back`,
      );
      expect(await h.purchases.get(state.purchaseId)).toMatchObject({ cleanupPending: ['delete-cart-item', 'release-reservation'] });
      expect(await reservedUsd()).toBe(before);
      expect(w.vendor().cart).toHaveLength(1);
    });

    it('ends with the cleanup done when a retry (after a failure of its own) finds the vendor back', async () => {
      let failPublish = true;
      const events: EventPublisher = {
        publish: async () => {
          if (failPublish) throw new Error('EventBridge throttled');
        },
      };
      const w = world({ events });
      const state = await inCart(w);
      const before = await reservedUsd();
      const payload: RecordOutcomePayload = { outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('InsufficientCreditError', 'no money') } };
      sandbox.faults.set({ failNext: 1, operations: ['shopping/cart/delete'] });

      await expect(w.record(payload)).rejects.toThrow(/EventBridge throttled/);
      expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'NEEDS_ATTENTION', cleanupPending: ['delete-cart-item', 'release-reservation'] });

      failPublish = false;
      expect(await w.record(payload)).toEqual({ status: 'FAILED', reason: 'InsufficientCreditError: no money' });
      expect(w.vendor().cart).toHaveLength(0);
      expect(await reservedUsd()).toBeCloseTo(before - 18, 2);
      expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'FAILED', cleanupPending: [] });
      expect(toApprovers(w)).toHaveLength(1); // sent by the first try, which did end NEEDS_ATTENTION as far as it knew
      // The requester heard both ends, each once: "being checked", then that it did not go through.
      expect(toRequester(w).map((m) => m.subject.replace(/ \(.*$/, ''))).toEqual([
        'Your CoCalc purchase is being checked',
        'Your CoCalc purchase did not go through',
      ]);
      expect(toRequester(w)[1]!.text).toContain('the CoCalc account does not have enough credit');
    });

    it('lists release-reservation as pending when only the budget release fails', async () => {
      const spendGuard: SpendGuard = {
        remaining: (...a) => h.spendGuard.remaining(...a),
        commit: (id) => h.spendGuard.commit(id),
        reserve: (i) => h.spendGuard.reserve(i),
        adjust: (id, n) => h.spendGuard.adjust(id, n),
        release: async () => {
          throw new Error('DynamoDB ProvisionedThroughputExceededException');
        },
      };
      const w = world({ spendGuard });
      const state = await inCart(w);
      const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('VendorRejectedError', 'refused') } });
      expect(out.status).toBe('NEEDS_ATTENTION');
      expect(w.vendor().cart).toHaveLength(0);
      expect(await h.purchases.get(state.purchaseId)).toMatchObject({ cleanupPending: ['release-reservation'] });
      expect((await trailOf(state.purchaseId)).slice(-5)).toEqual([
        'COMPENSATED:delete-cart-item',
        'COMPENSATION_FAILED:release-reservation',
        'ATTENTION_MAIL_SENT',
        'REQUESTER_NOTIFIED',
        'NOT_COMPLETED',
      ]);
    });

    it('still ends the purchase when the mail cannot be sent, and audits that', async () => {
      const w = world();
      w.mailer.failNext = new Error('SES MessageRejected: Email address is not verified');
      const state = await inCart(w);
      sandbox.faults.set({ failNext: 1000 });
      const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('VendorRejectedError', 'refused') } });
      expect(out.status).toBe('NEEDS_ATTENTION');
      expect((await trailOf(state.purchaseId)).slice(-3)).toEqual(['ATTENTION_MAIL_FAILED', 'REQUESTER_NOTIFIED', 'NOT_COMPLETED']);
      expect(eventsFor(state.purchaseId)).toHaveLength(1);
    });
  });

  it('puts no stack trace, token or vendor key into the attention mail', async () => {
    const w = world();
    const state = await inCart(w);
    const token = 'AAAA'.repeat(80);
    const failure = lambdaFailure('PurchaseOutcomeUnknownError', `checkout lost (task ${token})`);
    await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED }, failure } });
    const mail = toApprovers(w)[0]!;
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toContain('secretFrame');
      expect(part).not.toContain('/var/task');
      expect(part).not.toContain(token);
      expect(part).not.toContain(w.apiKey);
    }
    expect(mail.text).toContain('[REDACTED]');
    const notice = toRequester(w)[0]!;
    for (const part of [notice.subject, notice.text, notice.html]) {
      for (const internal of ['secretFrame', '/var/task', token, w.apiKey, 'checkout lost', 'PurchaseOutcomeUnknownError', '[REDACTED]'])
        expect(part).not.toContain(internal);
    }
  });

  it('mails no requester who opted out, and still ends the purchase', async () => {
    const w = world();
    const state = await inCart(w);
    const optedOut = { ...state, request: { ...state.request, notifyRequester: false } };
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...optedOut, approval: { ...APPROVED, decision: 'REJECTED' } } });
    expect(out.status).toBe('REJECTED');
    expect(w.mailer.outbox).toEqual([]);
    expect(await trailOf(state.purchaseId)).not.toContain('REQUESTER_NOTIFIED');
  });

  it('ends the purchase as it would when the requester notice cannot be sent, and audits NOTICE_FAILED without the address error text', async () => {
    const w = world();
    const state = await inCart(w);
    w.mailer.failNext = new Error('MessageRejected: Email address is not verified: ada@example.com');
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED, decision: 'REJECTED' } } });
    expect(out).toEqual({ status: 'REJECTED', reason: 'rejected by boss@example.com' });
    expect(w.mailer.outbox).toEqual([]);
    const trail = await h.audit.list(state.purchaseId);
    expect(trail.slice(-2).map((e) => e.type)).toEqual(['NOTICE_FAILED', 'NOT_COMPLETED']);
    expect(trail.at(-2)).toMatchObject({ status: 'REJECTED', detail: { kind: 'outcome', outcome: 'REJECTED', error: 'Error' } });
    expect(JSON.stringify(trail.at(-2))).not.toContain('not verified');
    expect(eventsFor(state.purchaseId)).toHaveLength(1);
  });

  it('leaves a purchase a person already resolved alone when the machine retries', async () => {
    const w = world();
    const state = await inCart(w);
    sandbox.faults.set({ failNext: 1000 });
    const payload: RecordOutcomePayload = { outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('VendorRejectedError', 'refused') } };
    expect((await w.record(payload)).status).toBe('NEEDS_ATTENTION');
    await resolvePurchase(
      { purchases: h.purchases, audit: h.audit, spendGuard: h.spendGuard },
      state.purchaseId,
      { finding: 'not-bought' },
      'arn:aws:iam::1:user/ops',
    );
    const entries = (await h.audit.list(state.purchaseId)).length;

    expect(await w.record(payload)).toMatchObject({ status: 'FAILED' });
    expect(await h.audit.list(state.purchaseId)).toHaveLength(entries);
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'FAILED', resolution: { finding: 'not-bought' } });
  });
});
