import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver';
import { InvalidRequestError, MaxCostExceededError, QuoteMismatchError } from '../../lambdas/core/errors';
import type { InterserverGateway } from '../../lambdas/vendors/interserver/core/ports';
import type { MismatchInfo, WorkflowState } from '../../lambdas/core/workflow';
import { validateAndQuote, type ValidateAndQuoteDeps } from '../../lambdas/core/validate-and-quote';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  interserverGatewayFor,
  mismatchInfo,
  newPurchase,
  quotersWith,
  recordQuoteMismatch,
  startStepHarness,
  type StepHarness,
} from '../support/workflow-harness';

describe('ValidateAndQuote', () => {
  let h: StepHarness;
  let sandbox: InterserverSandbox;
  let gateway: InterserverGateway;
  let interserverBuilds = 0;

  const mismatch = (purchaseId: string, vendorTotalUsd: number, approvedUsd: number): Promise<MismatchInfo> =>
    recordQuoteMismatch(h, purchaseId, vendorTotalUsd, approvedUsd);

  beforeAll(async () => {
    h = await startStepHarness();
    sandbox = await startInterserverSandbox();
    gateway = interserverGatewayFor(sandbox, SANDBOX_DEFAULTS.username, SANDBOX_DEFAULTS.password);
  });
  afterAll(async () => {
    await sandbox.close();
    await h.close();
  });

  const handler = (autoApproveMaxUsd = 10) => {
    const deps: ValidateAndQuoteDeps = {
      audit: h.audit,
      purchases: h.purchases,
      steps: h.steps,
      quoters: quotersWith(async () => {
        interserverBuilds += 1;
        return gateway;
      }),
      policy: autoApprovePolicy(autoApproveMaxUsd, ['boss@example.com']),
    };
    return (state: WorkflowState) => validateAndQuote(deps, state);
  };

  it('quotes a CoCalc license at the amount its checkout charges, and records QUOTED', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const quote = await handler(-1)(state);

    // academic, monthly, 4 GB, 1 vCPU, 10 GB, member, short: $9.00 a project-month, run limit 2.
    expect(quote).toEqual({
      vendor: 'cocalc',
      amountUsd: 18,
      summary: 'CoCalc site license: academic, monthly, run limit 2, 4 GB RAM, 1 vCPU, 10 GB disk, member hosting, short uptime',
      autoApprove: false,
      approvalTier: 1,
      approvalsNeeded: 1,
    });
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'QUOTED', amountUsd: 18 });
    expect((await h.audit.list(state.purchaseId)).at(-1)).toMatchObject({
      type: 'QUOTED',
      status: 'QUOTED',
      detail: { amountUsd: 18, approvalTier: 1, approvalsNeeded: 1 },
    });
  });

  it('auto-approves at or below the limit and never with a negative limit', async () => {
    const state = await newPurchase(h, cocalcRequest());
    expect((await handler(18)(state)).autoApprove).toBe(true);
    expect((await handler(17.99)(state)).autoApprove).toBe(false);
    expect((await handler(-1)(state)).autoApprove).toBe(false);
  });

  it('quotes an InterServer license by catalog name, in any case, at its catalog price', async () => {
    const state = await newPurchase(h, interserverRequest({ item: { ip: '203.0.113.10', licenseType: 'softaculous' } }));
    const quote = await handler()(state);
    expect(quote).toMatchObject({ vendor: 'interserver', amountUsd: 3, interserverTypeId: 5006, interserverTypeName: 'Softaculous', autoApprove: true });
    expect(quote.summary).toBe('InterServer license: Softaculous (5006) for 203.0.113.10, $3.00/month');
  });

  it('refuses an unknown InterServer type, naming it', async () => {
    const state = await newPurchase(h, interserverRequest({ item: { ip: '203.0.113.10', licenseType: 'Softaculus' } }));
    await expect(handler()(state)).rejects.toThrow(/unknown InterServer license type "Softaculus"/);
  });

  it("refuses a quote above the requester's maxCost", async () => {
    const state = await newPurchase(h, cocalcRequest({ maxCost: 17.99 }));
    await expect(handler()(state)).rejects.toBeInstanceOf(MaxCostExceededError);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('RECEIVED');
  });

  it('re-parses the request and refuses a tampered one without calling any vendor', async () => {
    const state = await newPurchase(h, interserverRequest());
    const tampered = { ...state, request: { ...state.request, item: { ip: 'not-an-ip', licenseType: 5006 } } } as unknown as WorkflowState;
    const buildsBefore = interserverBuilds;
    const requestsBefore = sandbox.state.requests.length;

    await expect(handler()(tampered)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(interserverBuilds).toBe(buildsBefore);
    expect(sandbox.state.requests.length).toBe(requestsBefore);
  });

  it("re-quotes at the vendor's total after a mismatch, and always asks a human", async () => {
    const state = await newPurchase(h, cocalcRequest());
    const first = await handler(1000)(state);
    const requoted = await handler(1000)({ ...state, quote: first, mismatch: await mismatch(state.purchaseId, 18.01, 18) });

    expect(requoted).toMatchObject({ amountUsd: 18.01, autoApprove: false, approvalsNeeded: 1 });
    expect(requoted.summary).toMatch(/re-quoted at the vendor's total \$18\.01 \(was \$18\.00\)/);
    const types = (await h.audit.list(state.purchaseId)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['REQUOTED', 'QUOTED']);
  });

  it('treats the same mismatch again as a retry, but refuses a second, different mismatch', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const run = handler();
    const once = { ...state, mismatch: await mismatch(state.purchaseId, 18.01, 18) };
    await run(once);
    await expect(run(once)).resolves.toMatchObject({ amountUsd: 18.01 });
    const again = run({ ...state, mismatch: await mismatch(state.purchaseId, 18.02, 18.01) });
    await expect(again).rejects.toBeInstanceOf(QuoteMismatchError);
    // The reason RecordNotCompleted writes to the trail.
    await expect(again).rejects.toThrow(/the vendor's total changed again \(\$18\.02 instead of the re-approved \$18\.01\)/);
  });

  it("checks the vendor's total against maxCost too", async () => {
    const state = await newPurchase(h, cocalcRequest({ maxCost: 18 }));
    await expect(handler()({ ...state, mismatch: await mismatch(state.purchaseId, 18.01, 18) })).rejects.toBeInstanceOf(MaxCostExceededError);
  });

  it('refuses a mismatch the trail does not record, whatever its text says', async () => {
    const state = await newPurchase(h, cocalcRequest());
    // The amounts are in the text, as a hand-made $.mismatch could put them: not trusted.
    const refused = handler()({ ...state, mismatch: mismatchInfo(1, 18) });
    await expect(refused).rejects.toBeInstanceOf(InvalidRequestError);
    // The reason RecordNotCompleted writes to the trail (an INVALID end) is this error's text.
    await expect(refused).rejects.toThrow('cannot re-quote: no recorded mismatch names the vendor total');
    expect((await h.audit.list(state.purchaseId)).map((e) => e.type)).not.toContain('REQUOTED');
  });
});
