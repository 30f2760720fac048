import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver';
import { LicenseNotFoundError } from '../../lambdas/core/errors';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';
import type { InterserverGateway } from '../../lambdas/vendors/interserver/core/ports';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import type { WorkflowState } from '../../lambdas/core/workflow';
import { makeHandler } from '../../lambdas/handlers/verify-license';
import { cocalcLicenses } from '../../lambdas/vendors/cocalc/core/licenses';
import { interserverLicenses } from '../../lambdas/vendors/interserver/core/licenses';
import { cocalcRequest, interserverRequest } from '../support/requests';
import { cocalcGatewayFor, interserverGatewayFor, newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

describe('VerifyLicense', () => {
  let h: StepHarness;
  let cocalcSandbox: CocalcSandbox;
  let interserverSandbox: InterserverSandbox;
  let cocalc: CocalcGateway;
  let interserver: InterserverGateway;
  let verify: (state: WorkflowState) => ReturnType<ReturnType<typeof makeHandler>>;

  beforeAll(async () => {
    h = await startStepHarness();
    cocalcSandbox = await startCocalcSandbox({ throttle: false });
    interserverSandbox = await startInterserverSandbox();
    const { apiKey } = cocalcSandbox.addAccount({ balance: 1000 });
    cocalc = cocalcGatewayFor(cocalcSandbox.url, apiKey);
    interserver = interserverGatewayFor(interserverSandbox, SANDBOX_DEFAULTS.username, SANDBOX_DEFAULTS.password);
    const licenses = { cocalc: cocalcLicenses(async () => cocalc), interserver: interserverLicenses(async () => interserver) };
    verify = makeHandler({ audit: h.audit, purchases: h.purchases, steps: h.steps, licenses });
  });
  afterAll(async () => {
    await interserverSandbox.close();
    await cocalcSandbox.close();
    await h.close();
  });

  async function boughtCocalcLicense(): Promise<string> {
    const request = parsePurchaseRequest(cocalcRequest());
    if (request.vendor !== 'cocalc') throw new Error('not a CoCalc request');
    const id = await cocalc.addToCart({ ...request.item.description, title: 'Lab license' });
    await cocalc.setChecked(false);
    await cocalc.setChecked(true, id);
    await cocalc.checkout();
    return (await cocalc.getCartItem(id)).purchased!.licenseId!;
  }

  it('finds a new CoCalc license in the vendor listing and returns it normalized', async () => {
    const licenseId = await boughtCocalcLicense();
    const state = await newPurchase(h, cocalcRequest(), { purchase: { vendor: 'cocalc', amountUsd: 18, licenseId, reconciled: false } }, 'PURCHASED');

    const license = await verify(state);
    expect(license).toMatchObject({ vendor: 'cocalc', id: licenseId, title: 'Lab license', status: 'active' });
    expect((await h.audit.list(state.purchaseId)).at(-1)).toMatchObject({ type: 'LICENSE_VERIFIED', status: 'PURCHASED' });
  });

  it('fails with LicenseNotFoundError (which the machine retries) when CoCalc does not list it', async () => {
    const state = await newPurchase(h, cocalcRequest(), {
      purchase: { vendor: 'cocalc', amountUsd: 18, licenseId: '00000000-0000-4000-8000-000000000000', reconciled: false },
    });
    await expect(verify(state)).rejects.toBeInstanceOf(LicenseNotFoundError);
  });

  it('finds an InterServer license by id and checks it is for the requested IP and type', async () => {
    const ip = '192.0.2.44';
    await interserver.buyLicense({ ip, type: 5006, usePrepay: false });
    const row = interserverSandbox.state.licenses.find((l) => l.license_ip === ip)!;
    const base = await newPurchase(h, interserverRequest({ item: { ip, licenseType: 5006 } }));
    const state: WorkflowState = {
      ...base,
      quote: { vendor: 'interserver', amountUsd: 3, summary: 's', interserverTypeId: 5006, interserverTypeName: 'Softaculous', autoApprove: false },
      purchase: { vendor: 'interserver', amountUsd: 3, licenseId: String(row.license_id), reconciled: false },
    };

    expect(await verify(state)).toMatchObject({ vendor: 'interserver', id: String(row.license_id), title: 'Softaculous', status: 'pending', target: ip });
    await expect(verify({ ...state, quote: { ...state.quote!, interserverTypeId: 5007 } })).rejects.toThrow(/not 192\.0\.2\.44 type 5007/);
  });

  it('fails with LicenseNotFoundError for an InterServer id the account does not have', async () => {
    const state = await newPurchase(h, interserverRequest(), {
      purchase: { vendor: 'interserver', amountUsd: 3, licenseId: '999999', reconciled: false },
    });
    await expect(verify(state)).rejects.toBeInstanceOf(LicenseNotFoundError);
  });

  it('fails with LicenseNotFoundError when the purchase names no license', async () => {
    const state = await newPurchase(h, cocalcRequest());
    await expect(verify(state)).rejects.toBeInstanceOf(LicenseNotFoundError);
  });
});
