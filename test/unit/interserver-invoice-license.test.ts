import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver';
import { licenseOfInvoice } from '../../lambdas/vendors/interserver/core/invoice-license';
import type { InterserverGateway } from '../../lambdas/vendors/interserver/core/ports';
import { interserverGatewayFor } from '../support/workflow-harness';

describe('licenseOfInvoice', () => {
  let sandbox: InterserverSandbox;
  let gateway: InterserverGateway;
  let nextIp = 1;

  beforeAll(async () => {
    sandbox = await startInterserverSandbox();
    gateway = interserverGatewayFor(sandbox, SANDBOX_DEFAULTS.username, SANDBOX_DEFAULTS.password);
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.faults.reset();
    sandbox.state.account.prepay = 0;
  });

  const freshIp = () => `198.51.100.${nextIp++}`;
  const calls = (operation: string) => sandbox.state.requests.filter((r) => r.operation === operation).length;

  it('finds the license a buy created from its unpaid invoice, without listing the licenses', async () => {
    const ip = freshIp();
    for (let i = 0; i < 50; i += 1) sandbox.state.addLicense({ license_type: 5006, license_ip: `203.0.113.${i}` });
    const bought = await gateway.buyLicense({ ip, type: 5006, usePrepay: false });
    const lists = calls('api_licenses_get_services');

    const found = await licenseOfInvoice(gateway, bought.invoice, { ip, type: 5006 });

    const row = sandbox.state.licenses.find((l) => l.license_ip === ip)!;
    expect(found.license?.id).toBe(row.license_id);
    expect(found.unpaid?.some((i) => i.id === bought.invoice && i.serviceId === row.license_id)).toBe(true);
    expect(calls('api_licenses_get_services')).toBe(lists);
  });

  it('finds nothing for invoice 0 (PrePay paid the buy), reading nothing', async () => {
    const ip = freshIp();
    sandbox.state.account.prepay = 10;
    const bought = await gateway.buyLicense({ ip, type: 5006 });
    expect(bought.invoice).toBe(0);
    const reads = calls('api_licenses_get_client_unpaid_invoices');
    expect(await licenseOfInvoice(gateway, bought.invoice, { ip, type: 5006 })).toEqual({});
    expect(calls('api_licenses_get_client_unpaid_invoices')).toBe(reads);
  });

  it("does not take the invoice's license when it is for another IP or type", async () => {
    const ip = freshIp();
    const bought = await gateway.buyLicense({ ip, type: 5006, usePrepay: false });
    expect((await licenseOfInvoice(gateway, bought.invoice, { ip: freshIp(), type: 5006 })).license).toBeUndefined();
    expect((await licenseOfInvoice(gateway, bought.invoice, { ip, type: 5034 })).license).toBeUndefined();
  });

  it('does not take a canceled license, nor an invoice no longer unpaid', async () => {
    const ip = freshIp();
    const bought = await gateway.buyLicense({ ip, type: 5006, usePrepay: false });
    const row = sandbox.state.licenses.find((l) => l.license_ip === ip)!;
    row.license_status = 'canceled';
    expect((await licenseOfInvoice(gateway, bought.invoice, { ip, type: 5006 })).license).toBeUndefined();
    row.license_status = 'pending';
    sandbox.state.invoices.find((i) => i.invoices_id === bought.invoice)!.invoices_paid = 1;
    expect((await licenseOfInvoice(gateway, bought.invoice, { ip, type: 5006 })).license).toBeUndefined();
  });

  it('finds nothing, instead of failing, when the invoices cannot be read (the caller lists then)', async () => {
    const ip = freshIp();
    const bought = await gateway.buyLicense({ ip, type: 5006, usePrepay: false });
    sandbox.faults.set({ failNext: 5, operations: ['api_licenses_get_client_unpaid_invoices'] });
    expect(await licenseOfInvoice(gateway, bought.invoice, { ip, type: 5006 })).toEqual({});
  });
});
