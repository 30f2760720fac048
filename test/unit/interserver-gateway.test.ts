import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VendorAuthError, VendorRejectedError, VendorTransientError } from '../../lambdas/core/errors';
import {
  AccountLockedError,
  InsufficientPrepayError,
  InvalidCouponError,
  InvalidIpError,
  InvalidLicenseIdError,
  InvalidLicenseTypeError,
  InvalidSessionError,
  IpNotAllowedError,
  LicenseAlreadyExistsError,
} from '../../lambdas/vendors/interserver/core/errors';
import {
  createInterserverGateway,
  INTERSERVER_WSDL,
  SoapInterserverGateway,
  type SoapInterserverGatewayOptions,
} from '../../lambdas/vendors/interserver/adapters';
import { startInterserverSandbox, type InterserverSandbox, type InterserverSandboxOptions } from '../../lib/local/sandboxes/interserver';

/** SoapInterserverGateway (node-soap) against the InterServer sandbox over real SOAP on 127.0.0.1. */

const PASSWORD = 'sandbox-password';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function start(opts: InterserverSandboxOptions = {}): Promise<InterserverSandbox> {
  const s = await startInterserverSandbox(opts);
  closers.push(() => s.close());
  return s;
}

function gatewayFor(s: InterserverSandbox, opts: Partial<SoapInterserverGatewayOptions> = {}): SoapInterserverGateway {
  return new SoapInterserverGateway({ wsdlUrl: s.url, username: 'procure', password: PASSWORD, timeoutMs: 2000, ...opts });
}

async function setup(opts: InterserverSandboxOptions = {}, gw: Partial<SoapInterserverGatewayOptions> = {}) {
  const sandbox = await start(opts);
  return { sandbox, gateway: gatewayFor(sandbox, gw) };
}

const count = (s: InterserverSandbox, op: string) => s.state.requests.filter((r) => r.operation === op).length;

/** Serves fixed bodies on loopback (for WSDL/response shapes the sandbox never produces). */
async function serveFixed(handler: (path: string, body: string) => { status?: number; body: string }): Promise<string> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = handler(req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
      res.writeHead(r.status ?? 200, { 'content-type': 'text/xml; charset=ISO-8859-1' }).end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api.php`;
}

describe('SoapInterserverGateway: client and session', () => {
  it('works from the bundled WSDL without fetching one, posting to the explicit endpoint', async () => {
    const s = await start();
    const gw = createInterserverGateway({ useBundledWsdl: true, endpoint: s.endpoint, username: 'procure', password: PASSWORD });
    const types = await gw.getLicenseTypes();

    expect(types).toHaveLength(36);
    expect(types.find((t) => t.id === 5006)).toEqual({ id: 5006, name: 'Softaculous', cost: 3 });
    expect(types.find((t) => t.id === 5000)).toEqual({ id: 5000, name: 'INTERSERVER-EXTERNAL', cost: 34.95 });
  });

  it('logs in once and reuses the session id across calls', async () => {
    const { sandbox, gateway } = await setup({ prepay: 3 });
    const sid = await gateway.login();
    await gateway.getPrepayRemaining();
    await gateway.buyLicense({ ip: '4.4.4.4', type: 5006 });

    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    expect(await gateway.login()).toBe(sid);
    expect(count(sandbox, 'api_login')).toBe(1);
  });

  it('turns a blank session id into VendorAuthError', async () => {
    const { gateway } = await setup({}, { password: 'not-the-password' });
    const err = await gateway.login().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorAuthError);
    expect(err).not.toBeInstanceOf(InvalidSessionError);
    expect((err as Error).message).toContain('blank session id');
  });

  it('logs in again exactly once after the session went idle, and the call succeeds', async () => {
    const { sandbox, gateway } = await setup({ sessionIdleSeconds: 0.25, prepay: 7 });
    await gateway.getPrepayRemaining();
    await new Promise((r) => setTimeout(r, 300));

    expect(await gateway.getPrepayRemaining()).toBe(7);
    expect(count(sandbox, 'api_login')).toBe(2);
    expect(count(sandbox, 'api_get_prepay_remaining')).toBe(3);
  });

  it('repeats a purchase only after "Invalid Session ID", which means it did not happen: one license', async () => {
    const warnings: unknown[] = [];
    const { sandbox, gateway } = await setup({}, { logger: { warn: (...a) => warnings.push(a) } });
    await gateway.getLicenseTypes();
    await gateway.login();
    sandbox.state.expireSessions();
    const result = await gateway.buyLicense({ ip: '4.4.4.4', type: 5006 });

    expect(result.invoice).toBeGreaterThan(0);
    expect(sandbox.state.licenses).toHaveLength(1);
    expect(count(sandbox, 'api_buy_license')).toBe(2);
    expect(count(sandbox, 'api_login')).toBe(2);
    expect(JSON.stringify(warnings)).toContain('Invalid Session ID');
    expect(JSON.stringify(warnings)).not.toContain(PASSWORD);
  });

  it('surfaces InvalidSessionError when the new session is rejected too (no loop)', async () => {
    const { sandbox, gateway } = await setup({ sessionIdleSeconds: -1 });
    await expect(gateway.cancelLicense(1)).rejects.toBeInstanceOf(InvalidSessionError);
    expect(count(sandbox, 'api_login')).toBe(2);
    expect(count(sandbox, 'api_cancel_license')).toBe(2);
  });

  it('confirms an empty list from a reused session with a new one (expired sessions list nothing, §9)', async () => {
    const { sandbox, gateway } = await setup();
    await gateway.login();
    sandbox.state.addLicense({ license_type: 5006, license_ip: '4.4.4.4' });
    sandbox.state.expireSessions();

    expect(await gateway.listLicenses()).toHaveLength(1);
    expect(count(sandbox, 'api_login')).toBe(2);
  });

  it('believes an empty list from a fresh session without logging in again', async () => {
    const { sandbox, gateway } = await setup();
    expect(await gateway.listLicenses()).toEqual([]);
    expect(count(sandbox, 'api_login')).toBe(1);
  });

  it('caches the license types for the TTL, then fetches them again', async () => {
    let now = 1_000;
    const { sandbox, gateway } = await setup({}, { licenseTypesTtlMs: 60_000, now: () => now });
    await gateway.getLicenseTypes();
    await gateway.getLicenseTypes();
    now += 60_001;
    await gateway.getLicenseTypes();

    expect(count(sandbox, 'api_get_license_types')).toBe(2);
    expect(count(sandbox, 'api_login')).toBe(0); // no session needed (§2)
  });

  it('refuses a vendor WSDL whose argument order differs from the bundled one', async () => {
    const reordered = INTERSERVER_WSDL.replace(
      '<part name="sid" type="xsd:string" />\n  <part name="ip" type="xsd:string" />\n  <part name="type" type="xsd:int" />\n  <part name="coupon" type="xsd:string" /></message>',
      '<part name="sid" type="xsd:string" />\n  <part name="type" type="xsd:int" />\n  <part name="ip" type="xsd:string" />\n  <part name="coupon" type="xsd:string" /></message>',
    );
    expect(reordered).not.toBe(INTERSERVER_WSDL);
    const endpoint = await serveFixed(() => ({ body: reordered }));
    const gw = new SoapInterserverGateway({ wsdlUrl: `${endpoint}?wsdl`, username: 'procure', password: PASSWORD });

    const err = await gw.login().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorRejectedError);
    expect((err as Error).message).toContain('api_buy_license takes (sid, type, ip, coupon)');
  });
});

describe('SoapInterserverGateway: operations', () => {
  it('sends buy arguments in WSDL part order on the wire, for both buy operations', async () => {
    const { sandbox, gateway } = await setup({ prepay: 100 });
    await gateway.buyLicense({ coupon: 'SANDBOX10', type: 5032, ip: '4.4.4.4' });
    await gateway.buyLicense({ usePrepay: false, coupon: '', type: 5006, ip: '4.4.4.5' });

    const [plain, prepay] = sandbox.state.requests.filter((r) => r.operation.startsWith('api_buy_license'));
    expect(plain?.argNames).toEqual(['sid', 'ip', 'type', 'coupon']);
    expect(plain?.raw).toMatch(/<sid>[0-9a-f]{32}<\/sid><ip>4\.4\.4\.4<\/ip><type>5032<\/type><coupon>SANDBOX10<\/coupon><\/tns:api_buy_license>/);
    expect(prepay?.argNames).toEqual(['sid', 'ip', 'type', 'coupon', 'use_prepay']);
    expect(prepay?.raw).toMatch(/<ip>4\.4\.4\.5<\/ip><type>5006<\/type><coupon><\/coupon><use_prepay>false<\/use_prepay><\/tns:api_buy_license_prepay>/);
  });

  it('buys behind an unpaid invoice, lists it, pays it, and the license becomes active', async () => {
    const { gateway } = await setup();
    const bought = await gateway.buyLicense({ ip: '4.4.4.4', type: 5032 });
    const [invoice] = await gateway.getUnpaidInvoices();
    const [pending] = await gateway.listLicenses();

    expect(bought).toEqual({ invoice: invoice?.id, cost: 12, paidWithPrepay: false, statusText: 'Order Completed Successfully.' });
    expect(invoice).toMatchObject({ amount: 12, paid: false, module: 'licenses', serviceId: pending?.id, type: 1, currency: 'USD' });
    expect(pending).toMatchObject({ type: 5032, ip: '4.4.4.4', status: 'pending', hostname: '', key: '', coupon: 0, currency: 'USD' });
    expect(pending?.repeatInvoice).toBeGreaterThan(0);

    await gateway.makePayment(bought.invoice);
    expect(await gateway.getUnpaidInvoices()).toEqual([]);
    expect((await gateway.getLicense(pending!.id)).status).toBe('active');
  });

  it('reports a PrePay-paid purchase as invoice 0 and reads the remaining PrePay as a number', async () => {
    const { sandbox, gateway } = await setup({ prepay: 20 });
    const bought = await gateway.buyLicense({ ip: '4.4.4.4', type: 5034 });

    expect(bought).toEqual({
      invoice: 0,
      cost: 2.95,
      paidWithPrepay: true,
      statusText: 'Order Completed Successfully.\nOrder Completed and Invoice Paid With PrePay and License Activated',
    });
    expect(await gateway.getPrepayRemaining()).toBe(17.05);
    expect(sandbox.state.licenses[0]?.license_status).toBe('active');
  });

  it('leaves PrePay alone with usePrepay=false and rejects usePrepay=true when it is not enough', async () => {
    const { gateway } = await setup({ prepay: 12 });
    const unpaid = await gateway.buyLicense({ ip: '4.4.4.4', type: 5032, usePrepay: false });
    const err = await gateway.buyLicense({ ip: '4.4.4.5', type: 5032, usePrepay: true }).catch((e: unknown) => e);

    expect(unpaid.paidWithPrepay).toBe(false);
    expect(await gateway.getPrepayRemaining()).toBe(12);
    expect(err).toBeInstanceOf(InsufficientPrepayError);
    expect((err as Error).message).toContain('$12 vs License Cost 12');
  });

  it('unwraps 0, 1 and many licenses into arrays of plain objects', async () => {
    const { sandbox, gateway } = await setup();
    expect(await gateway.listLicenses()).toEqual([]);
    sandbox.state.addLicense({ license_type: 5006, license_ip: '4.4.4.1' });
    const one = await gateway.listLicenses();
    sandbox.state.addLicense({ license_type: 5007, license_ip: '4.4.4.2' });
    sandbox.state.addLicense({ license_type: 5034, license_ip: '4.4.4.3' });
    const many = await gateway.listLicenses();

    expect(one).toEqual([expect.objectContaining({ type: 5006, ip: '4.4.4.1', status: 'active' })]);
    expect(many.map((l) => l.type)).toEqual([5006, 5007, 5034]);
    expect(typeof many[0]?.id).toBe('number');
  });

  it('cancels a license', async () => {
    const { sandbox, gateway } = await setup();
    const row = sandbox.state.addLicense({ license_type: 5006, license_ip: '4.4.4.1' });
    await gateway.cancelLicense(row.license_id);
    expect(row.license_status).toBe('canceled');
  });
});

describe('SoapInterserverGateway: typed errors', () => {
  const cases: Array<[string, InterserverSandboxOptions, { ip: string; type: number; coupon?: string }, new (...a: never[]) => Error, string]> = [
    ['an IP already licensed', {}, { ip: '4.4.4.4', type: 5006 }, LicenseAlreadyExistsError, 'That IP is already licensed in our system'],
    ['an invalid IP', {}, { ip: '4.4.4', type: 5006 }, InvalidIpError, 'Invalid IP Address'],
    ['an invalid coupon', {}, { ip: '4.4.4.5', type: 5006, coupon: 'NOPE' }, InvalidCouponError, "Invalid licenses Coupon 'NOPE' Specified for type '5006'"],
    ['a locked account', { locked: true }, { ip: '4.4.4.5', type: 5006 }, AccountLockedError, 'Locked Account.'],
    [
      'an external cPanel type inside the network',
      {},
      { ip: '198.51.100.9', type: 5000 },
      IpNotAllowedError,
      'Your IP appears to be within the InterServer Network',
    ],
    ['an internal-only type outside its IP block', {}, { ip: '4.4.4.5', type: 5008 }, IpNotAllowedError, 'This IP does not appear to be a InterServer IP'],
  ];
  it.each(cases)('maps %s to its error class', async (_, opts, input, ErrorClass, text) => {
    const { sandbox, gateway } = await setup(opts);
    sandbox.state.addLicense({ license_type: 5006, license_ip: '4.4.4.4' });
    const err = await gateway.buyLicense(input).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ErrorClass);
    expect(err).toBeInstanceOf(VendorRejectedError);
    expect((err as Error).message).toContain(text);
  });

  it('maps accumulated messages by the first recognised one and keeps the whole text', async () => {
    const { gateway } = await setup({ locked: true });
    const err = await gateway.buyLicense({ ip: 'nope', type: 5006, coupon: 'BAD' }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(InvalidIpError);
    expect((err as Error).message).toBe(
      "InterServer api_buy_license failed: Invalid IP Address\nLocked Account.\nInvalid licenses Coupon 'BAD' Specified for type '5006'",
    );
  });

  it('rejects a type missing from the catalog before calling buy, and maps the vendor text too', async () => {
    const { sandbox, gateway } = await setup();
    await expect(gateway.buyLicense({ ip: '4.4.4.4', type: 4242 })).rejects.toBeInstanceOf(InvalidLicenseTypeError);
    expect(count(sandbox, 'api_buy_license')).toBe(0);

    sandbox.faults.set({ forcedError: 'Invalid License Type', operations: ['api_buy_license'] });
    await expect(gateway.buyLicense({ ip: '4.4.4.4', type: 5006 })).rejects.toBeInstanceOf(InvalidLicenseTypeError);
  });

  it('maps "Invalid License ID" and an unknown license to InvalidLicenseIdError', async () => {
    const { gateway } = await setup();
    await expect(gateway.cancelLicense(123)).rejects.toBeInstanceOf(InvalidLicenseIdError);
    await expect(gateway.getLicense(123)).rejects.toBeInstanceOf(InvalidLicenseIdError);
  });

  it('maps an unrecognised status_text to VendorRejectedError', async () => {
    const { gateway } = await setup();
    const err = await gateway.makePayment(999).catch((e: unknown) => e);
    expect((err as Error).constructor).toBe(VendorRejectedError);
    expect((err as Error).message).toBe('InterServer api_make_payment failed: Invalid Invoice Number Passed or missing Module information.');
  });

  it('reports a malformed response clearly instead of returning undefined fields', async () => {
    const endpoint = await serveFixed((_, body) => ({
      body: body.includes('api_get_license_types')
        ? '<?xml version="1.0" encoding="ISO-8859-1"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"><SOAP-ENV:Body><ns1:api_get_license_typesResponse xmlns:ns1="urn:myapi"><return xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="tns:license_type[1]"><item xsi:type="tns:license_type"><services_id xsi:type="xsd:int">5006</services_id><services_cost xsi:type="xsd:float">3</services_cost></item></return></ns1:api_get_license_typesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>'
        : INTERSERVER_WSDL,
    }));
    const gw = new SoapInterserverGateway({ useBundledWsdl: true, endpoint, username: 'procure', password: PASSWORD });
    const err = await gw.getLicenseTypes().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorRejectedError);
    expect((err as Error).message).toMatch(/^InterServer api_get_license_types returned a malformed response: 0\.services_name/);
  });
});

describe('SoapInterserverGateway: transient failures', () => {
  it.each([
    ['HTTP 503', { failNext: 1 }, /HTTP 503/],
    ['a dropped connection', { dropNext: 1 }, /ECONNRESET|socket hang up/],
    ['a SOAP fault', { forcedError: 'unable to serialize result' }, /SOAP fault SOAP-ENV:Server: unable to serialize result/],
  ] as const)('maps %s to VendorTransientError', async (_, plan, message) => {
    const { sandbox, gateway } = await setup();
    await gateway.login();
    sandbox.faults.set({ ...plan, operations: ['api_licenses_get_services'] });
    const err = await gateway.listLicenses().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorTransientError);
    expect((err as Error).message).toMatch(message);
  });

  it('times out into VendorTransientError', async () => {
    const { sandbox, gateway } = await setup({}, { timeoutMs: 100 });
    await gateway.login();
    sandbox.faults.set({ latencyMs: 400 });
    const started = Date.now();
    const err = await gateway.getPrepayRemaining().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorTransientError);
    expect((err as Error).message).toMatch(/timeout/);
    expect(Date.now() - started).toBeLessThan(350);
  });

  it('never repeats a purchase whose connection dropped after it took effect', async () => {
    const { sandbox, gateway } = await setup({ faults: { applyThenDropNext: 1, operations: ['api_buy_license'] } });
    const err = await gateway.buyLicense({ ip: '4.4.4.4', type: 5006 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorTransientError);
    expect(count(sandbox, 'api_buy_license')).toBe(1);
    expect(sandbox.state.licenses).toHaveLength(1); // it happened: the workflow must reconcile
  });

  it('retries client creation on the next call after the WSDL could not be fetched', async () => {
    const sandbox = await start();
    let wsdlRequests = 0;
    const wsdlServer = await serveFixed(() => (++wsdlRequests === 1 ? { status: 503, body: 'busy' } : { body: INTERSERVER_WSDL }));
    const gateway = new SoapInterserverGateway({ wsdlUrl: `${wsdlServer}?wsdl`, endpoint: sandbox.endpoint, username: 'procure', password: PASSWORD });

    await expect(gateway.getLicenseTypes()).rejects.toBeInstanceOf(VendorTransientError);
    expect(await gateway.getLicenseTypes()).toHaveLength(36);
    expect(wsdlRequests).toBe(2);
    await gateway.getPrepayRemaining();
    expect(wsdlRequests).toBe(2); // the client is cached once created
  });
});

describe('SoapInterserverGateway: the password stays secret', () => {
  it('never puts the password in an error message, stack or serialized error', async () => {
    const errors: unknown[] = [];
    const sandbox = await start();
    const gw = () => gatewayFor(sandbox, { timeoutMs: 100 });
    const plans = [
      { failNext: 1 },
      { dropNext: 1 },
      { latencyMs: 300 },
      // A server that echoes the request into a fault must not leak it either.
      { forcedError: `bad credentials for procure/${PASSWORD}` },
    ];
    for (const plan of plans) {
      sandbox.faults.set({ ...plan, operations: ['api_login'] });
      errors.push(
        await gw()
          .login()
          .catch((e: unknown) => e),
      );
    }
    sandbox.faults.reset();
    errors.push(
      await gatewayFor(sandbox, { password: `${PASSWORD}-wrong` })
        .login()
        .catch((e: unknown) => e),
    );
    errors.push(
      await new SoapInterserverGateway({ wsdlUrl: 'http://127.0.0.1:1/api.php?wsdl', username: 'u', password: PASSWORD }).login().catch((e: unknown) => e),
    );

    expect(errors).toHaveLength(6);
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error);
      const err = e as Error;
      const text = [err.message, err.stack ?? '', JSON.stringify(err), String((err as { cause?: unknown }).cause ?? '')].join('\n');
      expect(text).not.toContain(PASSWORD);
    }
    expect((errors[3] as Error).message).toContain('[REDACTED]');
  });
});
