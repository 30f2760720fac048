import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver';
import { PurchaseOutcomeUnknownError, LockBusyError, QuoteMismatchError } from '../../lambdas/core/errors';
import { BuyOutcomeUnknownError, InsufficientPrepayError, LicenseAlreadyExistsError } from '../../lambdas/vendors/interserver/core/errors';
import type { InterserverGateway } from '../../lambdas/vendors/interserver/core/ports';
import { ApprovalNotVerifiedError } from '../../lambdas/core/verify-approval';
import type { Quote, WorkflowState } from '../../lambdas/core/workflow';
import type { InterserverPaymentPolicy } from '../../lambdas/vendors/interserver/core/payment-policy';
import { makeHandler } from '../../lambdas/vendors/interserver/handlers/buy';
import { interserverRequest } from '../support/requests';
import {
  APPROVED,
  approvalVerifierFor,
  approveThroughLink,
  interserverGatewayFor,
  newPurchase,
  startStepHarness,
  type StepHarness,
} from '../support/workflow-harness';

const BUY_OPERATIONS = ['api_buy_license', 'api_buy_license_prepay'];

describe('BuyLicense (InterServer)', () => {
  let h: StepHarness;
  let sandbox: InterserverSandbox;
  let gateway: InterserverGateway;
  let nextIp = 1;

  beforeAll(async () => {
    h = await startStepHarness();
    sandbox = await startInterserverSandbox();
    gateway = interserverGatewayFor(sandbox, SANDBOX_DEFAULTS.username, SANDBOX_DEFAULTS.password);
  });
  afterAll(async () => {
    await sandbox.close();
    await h.close();
  });
  beforeEach(() => {
    sandbox.faults.reset();
    sandbox.state.account.prepay = 0;
  });

  const buy = (policy: InterserverPaymentPolicy, gw: InterserverGateway = gateway) =>
    makeHandler({
      audit: h.audit,
      purchases: h.purchases,
      steps: h.steps,
      locks: h.locks,
      interserver: async () => gw,
      paymentPolicy: policy,
      verifyApproval: approvalVerifierFor(h, 'BuyLicense'),
    });

  /**
   * BuyLicense as the state machine runs it: a buy of unknown outcome throws
   * BuyOutcomeUnknownError and the machine (BUY_SETTLE) runs the step again; here without the wait.
   * The errors each run threw, and the final result or error.
   */
  async function buyAsTheMachine(policy: InterserverPaymentPolicy, state: WorkflowState, gw: InterserverGateway = gateway) {
    const retried: string[] = [];
    for (let run = 1; run <= 4; run += 1) {
      try {
        return { retried, result: await buy(policy, gw)(state) };
      } catch (err) {
        if (!(err instanceof BuyOutcomeUnknownError) || run === 4) return { retried, error: err as Error };
        retried.push(err.name);
      }
    }
    throw new Error('unreachable');
  }

  /** An approved Softaculous ($3/month) purchase for an IP no other test uses. */
  async function approvedPurchase(amountUsd = 3): Promise<WorkflowState & { ip: string }> {
    const ip = `198.51.100.${nextIp++}`;
    const state = await newPurchase(h, interserverRequest({ item: { ip, licenseType: 5006 } }));
    const quote: Quote = { vendor: 'interserver', amountUsd, summary: 'test', interserverTypeId: 5006, interserverTypeName: 'Softaculous', autoApprove: false };
    return { ...(await approveThroughLink(h, { ...state, quote })), ip };
  }
  const licensesFor = (ip: string) => sandbox.state.licenses.filter((l) => l.license_ip === ip);
  const buyCalls = () => sandbox.state.requests.filter((r) => BUY_OPERATIONS.includes(r.operation)).length;

  it('leaves the invoice unpaid under leave-unpaid, and records the license and invoice', async () => {
    const state = await approvedPurchase();
    sandbox.state.account.prepay = 100; // must not be touched
    const result = await buy('leave-unpaid')(state);

    const [license] = licensesFor(state.ip);
    expect(licensesFor(state.ip)).toHaveLength(1);
    expect(license?.license_status).toBe('pending');
    expect(sandbox.state.account.prepay).toBe(100);
    expect(sandbox.state.requests.filter((r) => BUY_OPERATIONS.includes(r.operation)).at(-1)?.operation).toBe('api_buy_license_prepay');
    expect(result).toMatchObject({ vendor: 'interserver', amountUsd: 3, licenseId: String(license!.license_id), paid: false, reconciled: false });
    expect(result.invoice).toBeGreaterThan(0);
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'PURCHASED', licenseId: result.licenseId, invoice: result.invoice });
  });

  it('finds the license a buy created through its invoice, listing the licenses only once (the snapshot before buying)', async () => {
    const state = await approvedPurchase();
    const lists = () => sandbox.state.requests.filter((r) => r.operation === 'api_licenses_get_services').length;
    const before = lists();
    const result = await buy('leave-unpaid')(state);
    expect(result.licenseId).toBe(String(licensesFor(state.ip)[0]!.license_id));
    expect(lists() - before).toBe(1);
  });

  it('lists the licenses again after a buy PrePay paid: invoice 0 names no license', async () => {
    const state = await approvedPurchase();
    sandbox.state.account.prepay = 10;
    const lists = () => sandbox.state.requests.filter((r) => r.operation === 'api_licenses_get_services').length;
    const before = lists();
    const result = await buy('prepay-only')(state);
    expect(result).toMatchObject({ invoice: 0, licenseId: String(licensesFor(state.ip)[0]!.license_id) });
    expect(lists() - before).toBe(2);
  });

  it('refuses an APPROVED $.approval that no approval record backs (SendTaskSuccess called directly), buying nothing', async () => {
    const ip = `198.51.100.${nextIp++}`;
    const base = await newPurchase(h, interserverRequest({ item: { ip, licenseType: 5006 } }));
    const quote: Quote = {
      vendor: 'interserver',
      amountUsd: 3,
      summary: 'test',
      interserverTypeId: 5006,
      interserverTypeName: 'Softaculous',
      autoApprove: false,
    };
    const calls = buyCalls();
    await expect(buy('leave-unpaid')({ ...base, quote, approval: { ...APPROVED } })).rejects.toThrow(ApprovalNotVerifiedError);
    expect(buyCalls()).toBe(calls);
    expect(licensesFor(ip)).toEqual([]);
    const refused = (await h.audit.list(base.purchaseId)).filter((e) => e.type === 'APPROVAL_NOT_VERIFIED');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.detail).toMatchObject({ step: 'BuyLicense', claimed: { decision: 'APPROVED', approver: APPROVED.approver } });
  });

  it('pays from PrePay under prepay-only', async () => {
    const state = await approvedPurchase();
    sandbox.state.account.prepay = 10;
    const result = await buy('prepay-only')(state);
    expect(result).toMatchObject({ invoice: 0, paid: true });
    expect(licensesFor(state.ip)[0]?.license_status).toBe('active');
    expect(sandbox.state.account.prepay).toBe(7);
  });

  it('passes on too little PrePay under prepay-only, buying nothing', async () => {
    const state = await approvedPurchase();
    sandbox.state.account.prepay = 3; // the vendor needs MORE than the cost (§5)
    await expect(buy('prepay-only')(state)).rejects.toBeInstanceOf(InsufficientPrepayError);
    expect(licensesFor(state.ip)).toHaveLength(0);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('APPROVED');
  });

  it('buys and then pays the invoice under pay-now', async () => {
    const state = await approvedPurchase();
    const result = await buy('pay-now')(state);
    const [license] = licensesFor(state.ip);
    expect(license?.license_status).toBe('active');
    expect(result).toMatchObject({ paid: true, licenseId: String(license!.license_id) });
    expect(sandbox.state.invoices.find((i) => i.invoices_service === license!.license_id)?.invoices_paid).toBe(1);
    expect((await h.audit.list(state.purchaseId)).some((e) => e.detail?.operation === 'makePayment')).toBe(true);
  });

  it('reconciles a buy that took effect although its connection dropped, as bought, never twice', async () => {
    const state = await approvedPurchase();
    sandbox.faults.set({ applyThenDropNext: 1, operations: BUY_OPERATIONS });
    const calls = buyCalls();

    // The run that lost the answer settles nothing and sleeps on nothing: it hands the wait over.
    await expect(buy('leave-unpaid')(state)).rejects.toBeInstanceOf(BuyOutcomeUnknownError);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('PURCHASING');
    const result = await buy('leave-unpaid')(state);
    expect(result).toMatchObject({ reconciled: true, licenseId: String(licensesFor(state.ip)[0]!.license_id) });
    expect(licensesFor(state.ip)).toHaveLength(1);
    expect(buyCalls() - calls).toBe(1);

    // Step Functions running the state again buys nothing more.
    expect(await buy('leave-unpaid')(state)).toMatchObject({ licenseId: result.licenseId });
    expect(licensesFor(state.ip)).toHaveLength(1);
    expect(buyCalls() - calls).toBe(1);
  });

  it("pays a reconciled purchase's open invoice under pay-now", async () => {
    const state = await approvedPurchase();
    sandbox.faults.set({ applyThenDropNext: 1, operations: BUY_OPERATIONS });
    const { retried, result } = await buyAsTheMachine('pay-now', state);
    expect(retried).toEqual(['BuyOutcomeUnknownError']);
    expect(result).toMatchObject({ reconciled: true, paid: true });
    expect(licensesFor(state.ip)[0]?.license_status).toBe('active');
  });

  it('buys once more after proving a dropped buy bought nothing', async () => {
    const state = await approvedPurchase();
    sandbox.faults.set({ dropNext: 1, operations: BUY_OPERATIONS });
    const { retried, result } = await buyAsTheMachine('leave-unpaid', state);
    expect(retried).toEqual(['BuyOutcomeUnknownError']);
    expect(result?.reconciled).toBe(false);
    expect(licensesFor(state.ip)).toHaveLength(1);
    const trail = await h.audit.list(state.purchaseId);
    expect(trail.filter((e) => e.detail?.operation === 'buy' && e.detail.phase === 'started').map((e) => e.detail?.attempt)).toEqual([1, 2]);
    expect(trail.some((e) => e.detail?.operation === 'reconcile' && e.detail.outcome === 'not-bought')).toBe(true);
  });

  it('stops after two buys of unknown outcome that list nothing: no third buy, and the outcome stays unknown (budget kept for a person)', async () => {
    const state = await approvedPurchase();
    sandbox.faults.set({ failNext: 2, operations: BUY_OPERATIONS });
    const calls = buyCalls();
    const { retried, error } = await buyAsTheMachine('leave-unpaid', state);
    expect(retried).toEqual(['BuyOutcomeUnknownError', 'BuyOutcomeUnknownError']);
    expect(error).toBeInstanceOf(PurchaseOutcomeUnknownError);
    expect(error?.message).toMatch(/2 buys had unknown outcomes and no license is listed yet/);
    expect(buyCalls() - calls).toBe(2);
    expect(licensesFor(state.ip)).toHaveLength(0);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('PURCHASING');
  });

  it('reports an unknown outcome when a buy drops and the licenses cannot be listed', async () => {
    const state = await approvedPurchase();
    const armed = Object.create(gateway) as InterserverGateway;
    armed.buyLicense = async (input) => {
      try {
        return await gateway.buyLicense(input);
      } finally {
        sandbox.faults.set({ failNext: 10, operations: ['api_licenses_get_services'] });
      }
    };
    sandbox.faults.set({ applyThenDropNext: 1, operations: BUY_OPERATIONS });

    const { retried, error } = await buyAsTheMachine('leave-unpaid', state, armed);
    expect(retried).toEqual(['BuyOutcomeUnknownError']);
    expect(error).toBeInstanceOf(PurchaseOutcomeUnknownError);
    sandbox.faults.reset();
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('PURCHASING');
  });

  it('adopts the license an earlier attempt of this purchase bought but did not record', async () => {
    const state = await approvedPurchase();
    // The earlier attempt: snapshot written, status PURCHASING, bought, then the Lambda died.
    await h.purchases.update(state.purchaseId, { status: 'PURCHASING' });
    await h.audit.append(state.purchaseId, { type: 'VENDOR_CALL', status: 'PURCHASING', detail: { operation: 'buy', phase: 'started', liveBefore: [] } });
    await gateway.buyLicense({ ip: state.ip, type: 5006, usePrepay: false });
    const calls = buyCalls();

    const result = await buy('leave-unpaid')(state);
    expect(result).toMatchObject({ reconciled: true, licenseId: String(licensesFor(state.ip)[0]!.license_id) });
    expect(buyCalls()).toBe(calls);
    expect(licensesFor(state.ip)).toHaveLength(1);
  });

  it('takes "already licensed" after an earlier invocation\'s unknown buy as that buy landing late, and adopts it', async () => {
    const state = await approvedPurchase();
    // The earlier invocation: snapshot written, buy timed out, absence "proven", then it gave up;
    // its request landed on the vendor only afterwards.
    await h.audit.append(state.purchaseId, { type: 'VENDOR_CALL', status: 'PURCHASING', detail: { operation: 'buy', phase: 'started', liveBefore: [] } });
    await h.purchases.update(state.purchaseId, { status: 'APPROVED' });
    await gateway.buyLicense({ ip: state.ip, type: 5006, usePrepay: false });

    const result = await buy('leave-unpaid')(state);
    expect(result).toMatchObject({ reconciled: true, licenseId: String(licensesFor(state.ip)[0]!.license_id) });
    expect(licensesFor(state.ip)).toHaveLength(1);
  });

  it('never adopts a license that was live before this purchase: the vendor refuses the duplicate', async () => {
    const state = await approvedPurchase();
    sandbox.state.addLicense({ license_type: 5006, license_ip: state.ip });
    await expect(buy('leave-unpaid')(state)).rejects.toBeInstanceOf(LicenseAlreadyExistsError);
    expect(licensesFor(state.ip)).toHaveLength(1);
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'APPROVED' });
    expect((await h.purchases.get(state.purchaseId))?.licenseId).toBeUndefined();
  });

  it('refuses to buy when the catalog price rose above the approved quote', async () => {
    const state = await approvedPurchase(2.99);
    const calls = buyCalls();
    await expect(buy('leave-unpaid')(state)).rejects.toBeInstanceOf(QuoteMismatchError);
    expect(buyCalls()).toBe(calls);
    expect(licensesFor(state.ip)).toHaveLength(0);
  });

  it('keeps the IP+type lock across the wait after a buy of unknown outcome: another purchase for the pair waits, the same one comes back in', async () => {
    const state = await approvedPurchase();
    sandbox.faults.set({ applyThenDropNext: 1, operations: BUY_OPERATIONS });
    await expect(buy('leave-unpaid')(state)).rejects.toBeInstanceOf(BuyOutcomeUnknownError);
    const other = { ...(await approvedPurchase()), request: state.request, ip: state.ip };
    await expect(buy('leave-unpaid')(other)).rejects.toBeInstanceOf(LockBusyError);
    expect(await buy('leave-unpaid')(state)).toMatchObject({ reconciled: true });
    expect(licensesFor(state.ip)).toHaveLength(1);
  });
});
