import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';
import type { InterserverGateway } from '../../lambdas/vendors/interserver/core/ports';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import type { NormalizedLicense } from '../../lambdas/core/workflow';
import { makeHandler } from '../../lambdas/handlers/list-licenses';
import { cocalcLicenses } from '../../lambdas/vendors/cocalc/core/licenses';
import { interserverLicenses } from '../../lambdas/vendors/interserver/core/licenses';
import { cocalcRequest } from '../support/requests';
import { cocalcGatewayFor, interserverGatewayFor } from '../support/workflow-harness';

/** The API Gateway (REST) proxy event of GET /licenses with the given query. */
function get(query: Record<string, string> | null): APIGatewayProxyEvent {
  return { httpMethod: 'GET', path: '/licenses', queryStringParameters: query, headers: {} } as unknown as APIGatewayProxyEvent;
}

describe('GET /licenses', () => {
  let cocalcSandbox: CocalcSandbox;
  let interserverSandbox: InterserverSandbox;
  let cocalc: CocalcGateway;
  let interserver: InterserverGateway;
  let cocalcLicenseId: string;
  let interserverLicenseId: number;

  beforeAll(async () => {
    cocalcSandbox = await startCocalcSandbox({ throttle: false });
    interserverSandbox = await startInterserverSandbox();
    const { apiKey } = cocalcSandbox.addAccount({ balance: 1000 });
    cocalc = cocalcGatewayFor(cocalcSandbox.url, apiKey);
    interserver = interserverGatewayFor(interserverSandbox, SANDBOX_DEFAULTS.username, SANDBOX_DEFAULTS.password);

    const request = parsePurchaseRequest(cocalcRequest());
    if (request.vendor !== 'cocalc') throw new Error('not a CoCalc request');
    const item = await cocalc.addToCart(request.item.description);
    await cocalc.checkout();
    cocalcLicenseId = (await cocalc.getCartItem(item)).purchased!.licenseId!;
    await interserver.buyLicense({ ip: '192.0.2.77', type: 5034, usePrepay: false });
    interserverLicenseId = interserverSandbox.state.licenses.at(-1)!.license_id;
  });
  afterAll(async () => {
    await interserverSandbox.close();
    await cocalcSandbox.close();
  });

  const listings = (cocalcOf: () => Promise<CocalcGateway>, interserverOf: () => Promise<InterserverGateway>) => ({
    licenses: { cocalc: cocalcLicenses(cocalcOf), interserver: interserverLicenses(interserverOf) },
  });
  const handler = () =>
    makeHandler(
      listings(
        async () => cocalc,
        async () => interserver,
      ),
    );
  const licensesOf = (body: string) => (JSON.parse(body) as { licenses: NormalizedLicense[] }).licenses;

  it("lists both vendors' licenses in one shape when no vendor is given", async () => {
    const res = await handler()(get(null));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toMatch(/application\/json/);
    const licenses = licensesOf(res.body);
    expect(licenses.map((l) => [l.vendor, l.id])).toEqual([
      ['cocalc', cocalcLicenseId],
      ['interserver', String(interserverLicenseId)],
    ]);
    expect(licenses[1]).toMatchObject({ title: 'KernelCare License', target: '192.0.2.77', status: 'pending', expiresAt: null });
  });

  it('lists one vendor when asked', async () => {
    const res = await handler()(get({ vendor: 'interserver' }));
    expect(licensesOf(res.body).map((l) => l.vendor)).toEqual(['interserver']);
  });

  it('answers 400 naming the allowed values for an unknown vendor, calling no vendor', async () => {
    let called = false;
    const res = await makeHandler(
      listings(
        async () => ((called = true), cocalc),
        async () => ((called = true), interserver),
      ),
    )(get({ vendor: 'acme' }));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'InvalidRequestError', message: expect.stringMatching(/"cocalc", "interserver".*not "acme"/) });
    expect(called).toBe(false);
  });

  it('answers 502 naming the vendor when a vendor cannot be listed, without its error text', async () => {
    interserverSandbox.faults.set({ failNext: 5, operations: ['api_licenses_get_services'] });
    const res = await handler()(get({ vendor: 'interserver' }));
    interserverSandbox.faults.reset();
    expect(res.statusCode).toBe(502);
    expect(JSON.parse(res.body)).toEqual({ error: 'VendorUnavailable', message: 'could not list the interserver licenses; try again later' });
  });
});
