import { afterEach, describe, expect, it } from 'vitest';
import { phpEnvelope, postSoap, type SoapArg } from '../support/interserver-soap';
import { SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox, type InterserverSandboxOptions } from '../../lib/local/sandboxes/interserver';

/**
 * The sandbox checked against shared/vendors/interserver-soap.md with hand-written SOAP over raw
 * HTTP (no node-soap): exact status_text strings (§4, §5), NuSOAP wire format (§1, §4), positional
 * binding, faults, admin endpoints and fault injection.
 */

const sandboxes: InterserverSandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});
async function start(opts: InterserverSandboxOptions = {}): Promise<InterserverSandbox> {
  const s = await startInterserverSandbox(opts);
  sandboxes.push(s);
  return s;
}

/** A Perl SOAP::Lite-style request: default namespace on the operation, c-gensym argument names. */
function soapLiteEnvelope(op: string, args: Array<[value: string, xsiType: string]>): string {
  const body = args.map(([v, t], i) => `<c-gensym${3 + 2 * i} xsi:type="${t}">${v}</c-gensym${3 + 2 * i}>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
    'soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
    `<soap:Body><${op} xmlns="urn:myapi">${body}</${op}></soap:Body></soap:Envelope>`
  );
}

async function call(s: InterserverSandbox, op: string, args: SoapArg[]) {
  const r = await postSoap(s, phpEnvelope(op, args));
  expect(r.status).toBe(200);
  return r.xml;
}

/** Text of the first <name ...>...</name> element, with XML escapes decoded. */
function field(xml: string, name: string): string {
  const m = new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`).exec(xml);
  if (!m) throw new Error(`no <${name}> in ${xml}`);
  return (m[1] ?? '')
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

async function login(s: InterserverSandbox): Promise<string> {
  return field(
    await call(s, 'api_login', [
      ['username', 'procure'],
      ['password', 'sandbox-password'],
    ]),
    'return',
  );
}

async function buy(s: InterserverSandbox, sid: string, ip: string, type: number, coupon = '', usePrepay?: boolean) {
  const args: SoapArg[] = [
    ['sid', sid],
    ['ip', ip],
    ['type', String(type), 'xsd:int'],
    ['coupon', coupon],
  ];
  if (usePrepay !== undefined) args.push(['use_prepay', String(usePrepay), 'xsd:boolean']);
  const xml = await call(s, usePrepay === undefined ? 'api_buy_license' : 'api_buy_license_prepay', args);
  return { xml, status: field(xml, 'status'), text: field(xml, 'status_text'), invoice: field(xml, 'invoice'), cost: field(xml, 'cost') };
}

const ALREADY = 'That IP is already licensed in our system';

describe('InterServer sandbox: transport and wire format (§1, §4)', () => {
  it('serves the bundled WSDL at ?wsdl with soap:address rewritten to the sandbox endpoint', async () => {
    const s = await start();
    const res = await fetch(s.url);
    const wsdl = await res.text();

    expect(s.url).toBe(`${s.endpoint}?wsdl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/xml');
    expect(wsdl).toContain(`<soap:address location="${s.endpoint}"/>`);
    expect(wsdl).not.toContain('https://my.interserver.net/api.php');
    expect(wsdl.match(/<operation name="/g)?.length).toBe(30); // 15 in portType + 15 in binding
  });

  it('binds arguments by position: SOAP::Lite c-gensym names log in and buy like the real names would', async () => {
    const s = await start();
    const loginXml = (
      await postSoap(
        s,
        soapLiteEnvelope('api_login', [
          ['procure', 'xsd:string'],
          ['sandbox-password', 'xsd:string'],
        ]),
      )
    ).xml;
    const sid = field(loginXml, 'return');
    const bought = await postSoap(
      s,
      soapLiteEnvelope('api_buy_license', [
        [sid, 'xsd:string'],
        ['4.4.4.4', 'xsd:string'],
        ['5006', 'xsd:int'],
        ['', 'xsd:string'],
      ]),
    );

    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    expect(field(bought.xml, 'status')).toBe('ok');
    expect(s.state.licenses).toMatchObject([{ license_ip: '4.4.4.4', license_type: 5006, license_status: 'pending' }]);
    expect(s.state.requests[1]?.argNames).toEqual(['c-gensym3', 'c-gensym5', 'c-gensym7', 'c-gensym9']);
  });

  it('binds by position, not by name: swapped element names still mean (username, password)', async () => {
    const s = await start();
    const xml = await call(s, 'api_login', [
      ['password', 'procure'],
      ['username', 'sandbox-password'],
    ]);
    expect(field(xml, 'return')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers in the NuSOAP envelope: ISO-8859-1, SOAP-ENV prefix, ns1 wrapper, xsi:type on the value', async () => {
    const s = await start();
    const r = await postSoap(
      s,
      phpEnvelope('api_login', [
        ['username', 'procure'],
        ['password', 'sandbox-password'],
      ]),
    );

    expect(r.contentType).toBe('text/xml; charset=ISO-8859-1');
    expect(
      r.xml.startsWith('<?xml version="1.0" encoding="ISO-8859-1"?><SOAP-ENV:Envelope SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"'),
    ).toBe(true);
    expect(r.xml).toMatch(
      /<SOAP-ENV:Body><ns1:api_loginResponse xmlns:ns1="urn:myapi"><return xsi:type="xsd:string">[0-9a-f]{32}<\/return><\/ns1:api_loginResponse><\/SOAP-ENV:Body><\/SOAP-ENV:Envelope>$/,
    );
  });

  it('returns the license types as a SOAP-ENC array with typed items, integer costs printed without decimals', async () => {
    const s = await start();
    const xml = await call(s, 'api_get_license_types', []);

    expect(xml).toContain('<return xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="tns:license_type[36]">');
    expect(xml.match(/<item xsi:type="tns:license_type">/g)?.length).toBe(36);
    expect(xml).toContain(
      '<item xsi:type="tns:license_type"><services_id xsi:type="xsd:int">5006</services_id><services_name xsi:type="xsd:string">Softaculous</services_name><services_cost xsi:type="xsd:float">3</services_cost></item>',
    );
    expect(xml).toContain(
      '<services_id xsi:type="xsd:int">5000</services_id><services_name xsi:type="xsd:string">INTERSERVER-EXTERNAL</services_name><services_cost xsi:type="xsd:float">34.95</services_cost>',
    );
    for (const [id, cost] of [
      [5001, '15.95'],
      [5002, '15.95'],
      [5008, '25'],
      [5009, '15'],
      [5014, '15'],
    ] as const) {
      expect(xml).toMatch(
        new RegExp(
          `<services_id xsi:type="xsd:int">${id}</services_id><services_name [^>]*>[^<]*</services_name><services_cost xsi:type="xsd:float">${cost}</services_cost>`,
        ),
      );
    }
    // Every element inside the response wrapper carries xsi:type.
    const inner = xml.slice(xml.indexOf('<return'), xml.lastIndexOf('</ns1:'));
    const opening = inner.match(/<[a-z_]+(?= |>)[^>]*>/g) ?? [];
    expect(opening.length).toBeGreaterThan(100);
    for (const tag of opening) expect(tag).toContain('xsi:type=');
  });

  it('serializes an empty list as a 0-length SOAP-ENC array', async () => {
    const s = await start();
    const xml = await call(s, 'api_licenses_get_services', [['sid', await login(s)]]);
    expect(xml).toContain('<return xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="tns:sql_row_licenses[0]"></return>');
  });

  it('answers a blank sid for a bad login, and accepts the API key instead of the password', async () => {
    const s = await start();
    const bad = await call(s, 'api_login', [
      ['username', 'procure'],
      ['password', 'wrong'],
    ]);
    const byKey = await call(s, 'api_login', [
      ['username', 'procure'],
      ['password', 'sandbox-api-key'],
    ]);

    expect(bad).toContain('<return xsi:type="xsd:string"></return>');
    expect(field(byKey, 'return')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps only the latest `keptRequests` requests it received (10,000 by default), and refuses a bound that is not a whole number >= 0', async () => {
    expect(SANDBOX_DEFAULTS.keptRequests).toBe(10_000);
    const s = await start({ keptRequests: 2 });
    const sid = await login(s);
    await call(s, 'api_get_license_types', []);
    await call(s, 'api_licenses_get_services', [['sid', sid]]);
    expect(s.state.requests.map((r) => r.operation)).toEqual(['api_get_license_types', 'api_licenses_get_services']);
    await expect(startInterserverSandbox({ keptRequests: -1 })).rejects.toThrow(/keptRequests must be a whole number >= 0, not -1/);
    await expect(startInterserverSandbox({ keptRequests: 1.5 })).rejects.toThrow(/keptRequests must be a whole number >= 0, not 1.5/);
  });

  it('faults an unknown operation with HTTP 500 in the NuSOAP format', async () => {
    const s = await start();
    const r = await postSoap(s, phpEnvelope('api_nope', []));

    expect(r.status).toBe(500);
    // NuSOAP's expandEntities escapes the apostrophes on the wire (§4 shows the decoded text).
    expect(r.xml).toContain(
      '<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode xsi:type="xsd:string">SOAP-ENV:Client</faultcode><faultactor xsi:type="xsd:string"></faultactor>' +
        '<faultstring xsi:type="xsd:string">Operation &apos;api_nope&apos; is not defined in the WSDL for this service</faultstring>' +
        '<detail xsi:type="xsd:string"></detail></SOAP-ENV:Fault></SOAP-ENV:Body>',
    );
    expect(field(r.xml, 'faultstring')).toBe("Operation 'api_nope' is not defined in the WSDL for this service");
  });

  it('faults unparseable XML and a non-text/xml request with HTTP 500 Client faults', async () => {
    const s = await start();
    const broken = await postSoap(s, '<SOAP-ENV:Envelope><oops');
    const json = await postSoap(s, phpEnvelope('api_login', []), 'application/json');

    expect(broken.status).toBe(500);
    expect(field(broken.xml, 'faultcode')).toBe('SOAP-ENV:Client');
    expect(field(broken.xml, 'faultstring')).toMatch(/^error in msg parsing:\n/);
    expect(json.status).toBe(500);
    expect(field(json.xml, 'faultstring')).toBe('Request not of type text/xml');
  });
});

describe('InterServer sandbox: api_buy_license (§5, §6)', () => {
  it('creates a pending license, an unpaid invoice and a monthly repeat invoice', async () => {
    const s = await start();
    const r = await buy(s, await login(s), '4.4.4.4', 5032);

    expect(r).toMatchObject({ status: 'ok', text: 'Order Completed Successfully.', cost: '12' });
    const [license] = s.state.licenses;
    const [invoice] = s.state.invoices;
    const [repeat] = s.state.repeatInvoices;
    expect(Number(r.invoice)).toBe(invoice?.invoices_id);
    expect(license).toMatchObject({ license_status: 'pending', license_hostname: '', license_invoice: repeat?.repeat_invoices_id });
    expect(invoice).toMatchObject({
      invoices_paid: 0,
      invoices_amount: 12,
      invoices_service: license?.license_id,
      invoices_module: 'licenses',
      invoices_type: 1,
    });
    expect(repeat).toMatchObject({ repeat_invoices_frequency: 1, repeat_invoices_amount: 12 });
  });

  it('pays from PrePay when it covers the cost: invoice 0, license active, the PrePay text', async () => {
    const s = await start({ prepay: 20 });
    const r = await buy(s, await login(s), '4.4.4.4', 5032);

    expect(r).toMatchObject({
      status: 'ok',
      invoice: '0',
      text: 'Order Completed Successfully.\nOrder Completed and Invoice Paid With PrePay and License Activated',
    });
    expect(s.state.licenses[0]?.license_status).toBe('active');
    expect(s.state.invoices[0]?.invoices_paid).toBe(1);
    expect(s.state.account.prepay).toBe(8);
  });

  it('never touches PrePay with use_prepay=false', async () => {
    const s = await start({ prepay: 20 });
    const r = await buy(s, await login(s), '4.4.4.4', 5032, '', false);

    expect(r.text).toBe('Order Completed Successfully.');
    expect(Number(r.invoice)).toBeGreaterThan(0);
    expect(s.state.account.prepay).toBe(20);
  });

  it('refuses use_prepay=true when PrePay is below, or exactly equal to, the cost (<=)', async () => {
    const s = await start({ prepay: 5 });
    const sid = await login(s);
    const below = await buy(s, sid, '4.4.4.4', 5032, '', true);
    s.state.account.prepay = 12;
    const equal = await buy(s, sid, '4.4.4.4', 5032, '', true);

    expect(below.text).toBe('You do not have enough Pre-Pay This (Available for a new license: $5 vs License Cost 12)');
    expect(equal.text).toBe('You do not have enough Pre-Pay This (Available for a new license: $12 vs License Cost 12)');
    expect(equal).toMatchObject({ status: 'error', invoice: '', cost: '12' });
    expect(equal.xml).toContain('<invoice xsi:type="xsd:int"></invoice>');
    expect(s.state.licenses).toHaveLength(0);
  });

  it('repeats the duplicate message for a cPanel type, exactly like the recorded sample', async () => {
    const s = await start();
    const sid = await login(s);
    await buy(s, sid, '4.4.4.4', 5000);
    const again = await buy(s, sid, '4.4.4.4', 5000);

    expect(again).toMatchObject({ status: 'error', text: `${ALREADY}\n${ALREADY}`, invoice: '', cost: '34.95' });
  });

  it('counts any cPanel license on the IP once, and a non-cPanel duplicate once', async () => {
    const s = await start();
    const sid = await login(s);
    await buy(s, sid, '4.4.4.4', 5000);
    await buy(s, sid, '4.4.4.5', 5006);

    expect((await buy(s, sid, '4.4.4.4', 5001)).text).toBe(ALREADY);
    expect((await buy(s, sid, '4.4.4.5', 5006)).text).toBe(ALREADY);
    expect((await buy(s, sid, '4.4.4.5', 5007)).status).toBe('ok');
  });

  it("re-orders the customer's own canceled cPanel license, but counts another customer's", async () => {
    const s = await start();
    const sid = await login(s);
    const own = s.state.addLicense({ license_type: 5000, license_ip: '4.4.4.4', license_status: 'canceled' });
    s.state.addLicense({ license_type: 5001, license_ip: '4.4.4.9', license_status: 'expired', license_custid: 999 });

    const reorder = await buy(s, sid, '4.4.4.4', 5000);
    const foreign = await buy(s, sid, '4.4.4.9', 5001);

    expect(reorder.status).toBe('ok');
    expect(s.state.licenses).not.toContain(own);
    expect(foreign.text).toBe(ALREADY);
  });

  it('allows a new order next to a canceled non-cPanel license of the same type', async () => {
    const s = await start();
    s.state.addLicense({ license_type: 5006, license_ip: '4.4.4.4', license_status: 'canceled' });
    expect((await buy(s, await login(s), '4.4.4.4', 5006)).status).toBe('ok');
    expect(s.state.licenses).toHaveLength(2);
  });

  it('accumulates messages in check order and trims the result', async () => {
    const s = await start({ locked: true });
    const r = await buy(s, await login(s), '300.1.1.1', 5006, 'NOPE');

    expect(r.text).toBe("Invalid IP Address\nLocked Account.\nInvalid licenses Coupon 'NOPE' Specified for type '5006'");
    expect(r.cost).toBe('3');
  });

  it('asks for the internal cPanel type for an IP inside the network', async () => {
    const s = await start();
    const sid = await login(s);
    expect((await buy(s, sid, '198.51.100.7', 5000)).text).toBe(
      'Your IP appears to be within the InterServer Network. Because of this your license should be changed to a INTERSERVER-INTERNAL License.  Please submit the updated order form to place the order.',
    );
    expect((await buy(s, sid, '198.51.100.7', 10683)).text).toContain('changed to a cPanel Autoscale (Internal) License.');
  });

  it('restricts internal-only types to IPs of their block', async () => {
    const s = await start();
    const sid = await login(s);
    expect((await buy(s, sid, '4.4.4.4', 5008)).text).toBe('This IP does not appear to be a InterServer IP');
    expect((await buy(s, sid, '198.51.100.7', 5008)).status).toBe('ok');
  });

  it('applies coupons of types 1, 2 and 3 and records the coupon id on the license', async () => {
    const s = await start();
    const sid = await login(s);
    const percent = await buy(s, sid, '4.4.4.1', 5032, 'SANDBOX10');
    const amount = await buy(s, sid, '4.4.4.2', 5032, 'SANDBOX5OFF');
    const fixed = await buy(s, sid, '4.4.4.3', 5006, 'SOFTACULOUS1');
    const wrongType = await buy(s, sid, '4.4.4.4', 5032, 'SOFTACULOUS1');

    expect([percent.cost, amount.cost, fixed.cost]).toEqual(['10.8', '7', '1']);
    expect(s.state.licenses.map((l) => l.license_coupon)).toEqual([1001, 1002, 1003]);
    expect(wrongType).toMatchObject({ text: "Invalid licenses Coupon 'SOFTACULOUS1' Specified for type '5032'", cost: '12' });
  });

  it('rejects an unknown type with the sandbox text and empty invoice/cost', async () => {
    const s = await start();
    const r = await buy(s, await login(s), '4.4.4.4', 4242);
    expect(r).toMatchObject({ status: 'error', text: 'Invalid License Type', invoice: '', cost: '' });
  });

  it('answers a bad or idle session with "Invalid Session ID" and empty invoice/cost, never a fault', async () => {
    const s = await start({ sessionIdleSeconds: 0.05 });
    const bogus = await buy(s, '0123456789abcdef0123456789abcdef', '4.4.4.4', 5006);
    const sid = await login(s);
    await new Promise((r) => setTimeout(r, 80));
    const idle = await buy(s, sid, '4.4.4.4', 5006);

    for (const r of [bogus, idle]) expect(r).toMatchObject({ status: 'error', text: 'Invalid Session ID', invoice: '', cost: '' });
    expect(s.state.licenses).toHaveLength(0);
  });

  it('keeps an active session alive: each call refreshes the idle timer', async () => {
    // Three pauses of 0.7 s outlast one idle period of 2 s only if each call refreshed the timer;
    // the margin (1.3 s a pause) holds on a loaded machine.
    const s = await start({ sessionIdleSeconds: 2 });
    const sid = await login(s);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 700));
      expect(
        field(
          await call(s, 'api_get_prepay_remaining', [
            ['sid', sid],
            ['module', 'licenses'],
          ]),
          'status',
        ),
      ).toBe('ok');
    }
  });
});

describe('InterServer sandbox: the other operations (§4, §5, §6)', () => {
  it('cancels with the untrimmed "License Canceled.\\n" and rejects an unknown id', async () => {
    const s = await start();
    const sid = await login(s);
    await buy(s, sid, '4.4.4.4', 5006);
    const id = String(s.state.licenses[0]?.license_id);
    const ok = await call(s, 'api_cancel_license', [
      ['sid', sid],
      ['id', id, 'xsd:int'],
    ]);
    const bad = await call(s, 'api_cancel_license', [
      ['sid', sid],
      ['id', '1', 'xsd:int'],
    ]);

    expect(ok).toContain('<status_text xsi:type="xsd:string">License Canceled.\n</status_text>');
    expect(s.state.licenses[0]?.license_status).toBe('canceled');
    expect(field(bad, 'status_text')).toBe('Invalid License ID');
  });

  it('cancels by IP: the only row whatever the type, the matching row among several, else the documented errors', async () => {
    const s = await start();
    const sid = await login(s);
    const single = s.state.addLicense({ license_type: 5006, license_ip: '4.4.4.1' });
    const a = s.state.addLicense({ license_type: 5006, license_ip: '4.4.4.2' });
    const b = s.state.addLicense({ license_type: 5034, license_ip: '4.4.4.2' });
    const byIp = (ip: string, type: number) =>
      call(s, 'api_cancel_license_ip', [
        ['sid', sid],
        ['ip', ip],
        ['type', String(type), 'xsd:int'],
      ]);

    expect(field(await byIp('4.4.4.1', 5032), 'status_text')).toBe('License Canceled.\n');
    expect(single.license_status).toBe('canceled');
    expect(field(await byIp('4.4.4.2', 5032), 'status_text')).toBe(
      `Multiple Matches, Specify Type.  License ID ${a.license_id} Type 5006 (Softaculous)  License ID ${b.license_id} Type 5034 (KernelCare License)  `,
    );
    expect(field(await byIp('4.4.4.2', 5034), 'status')).toBe('ok');
    expect(b.license_status).toBe('canceled');
    expect(field(await byIp('4.4.4.3', 5006), 'status_text')).toBe('Invalid License IP/Type');
    expect(field(await byIp('4.4.4', 5006), 'status_text')).toBe('Invalid IP Address\n');
  });

  it('lists services, one service, invoices and unpaid invoices', async () => {
    const s = await start();
    const sid = await login(s);
    await buy(s, sid, '4.4.4.4', 5006);
    await buy(s, sid, '4.4.4.5', 5034);
    s.state.invoices[0]!.invoices_paid = 1;
    const id = s.state.licenses[1]!.license_id;

    const services = await call(s, 'api_licenses_get_services', [['sid', sid]]);
    const one = await call(s, 'api_licenses_get_service', [
      ['sid', sid],
      ['id', String(id), 'xsd:int'],
    ]);
    const missing = await call(s, 'api_licenses_get_service', [
      ['sid', sid],
      ['id', '7', 'xsd:int'],
    ]);
    const all = await call(s, 'api_licenses_get_client_invoices', [['sid', sid]]);
    const unpaid = await call(s, 'api_licenses_get_client_unpaid_invoices', [['sid', sid]]);

    expect(services).toContain('SOAP-ENC:arrayType="tns:sql_row_licenses[2]"');
    expect(services).toContain('<item xsi:type="tns:sql_row_licenses"><license_id xsi:type="xsd:int">');
    expect(field(one, 'license_ip')).toBe('4.4.4.5');
    expect(field(one, 'license_order_date')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(missing).toContain('<return xsi:type="tns:sql_row_licenses"></return>');
    expect(all).toContain('SOAP-ENC:arrayType="tns:sql_row_invoices[2]"');
    expect(unpaid).toContain('SOAP-ENC:arrayType="tns:sql_row_invoices[1]"');
    expect(field(unpaid, 'invoices_service')).toBe(String(id));
  });

  it('makes a payment: invoice paid, license active; a bad invoice gets the recorded error', async () => {
    const s = await start();
    const sid = await login(s);
    const { invoice } = await buy(s, sid, '4.4.4.4', 5006);
    const pay = (module: string, inv: string) =>
      call(s, 'api_make_payment', [
        ['sid', sid],
        ['module', module],
        ['invoice', inv, 'xsd:int'],
      ]);

    expect(field(await pay('licenses', invoice), 'status')).toBe('ok');
    expect(s.state.invoices[0]?.invoices_paid).toBe(1);
    expect(s.state.licenses[0]?.license_status).toBe('active');
    for (const [module, inv] of [
      ['licenses', invoice],
      ['vps', invoice],
      ['licenses', '1'],
    ] as const) {
      expect(field(await pay(module, inv), 'status_text')).toBe('Invalid Invoice Number Passed or missing Module information.');
    }
  });

  it('reports PrePay as a string amount in status_text, changeable through /__admin/account', async () => {
    const s = await start();
    const sid = await login(s);
    const remaining = async () =>
      field(
        await call(s, 'api_get_prepay_remaining', [
          ['sid', sid],
          ['module', 'licenses'],
        ]),
        'status_text',
      );
    const before = await remaining();
    const admin = await fetch(`http://127.0.0.1:${s.port}/__admin/account`, { method: 'POST', body: JSON.stringify({ prepay: 25.5 }) });

    expect(before).toBe('0');
    expect(await admin.json()).toMatchObject({ prepay: 25.5, locked: false });
    expect(await remaining()).toBe('25.5');
  });

  it('locks the account at run time through /__admin/account', async () => {
    const s = await start();
    const sid = await login(s);
    await fetch(`http://127.0.0.1:${s.port}/__admin/account`, { method: 'POST', body: JSON.stringify({ locked: true }) });
    expect((await buy(s, sid, '4.4.4.4', 5006)).text).toBe('Locked Account.');
  });
});

describe('InterServer sandbox: fault injection', () => {
  it('answers 503 without taking effect, set at run time through /__admin/faults', async () => {
    const s = await start();
    const sid = await login(s);
    await fetch(`http://127.0.0.1:${s.port}/__admin/faults`, { method: 'POST', body: JSON.stringify({ failNext: 1, operations: ['api_buy_license'] }) });
    const r = await postSoap(
      s,
      phpEnvelope('api_buy_license', [
        ['sid', sid],
        ['ip', '4.4.4.4'],
        ['type', '5006', 'xsd:int'],
        ['coupon', ''],
      ]),
    );

    expect(r.status).toBe(503);
    expect(s.state.licenses).toHaveLength(0);
    expect((await buy(s, sid, '4.4.4.4', 5006)).status).toBe('ok');
  });

  it('applyThenDrop creates the license and invoice, then drops the connection', async () => {
    const s = await start({ faults: { applyThenDropNext: 1, operations: ['api_buy_license'] } });
    const sid = await login(s);
    const attempt = postSoap(
      s,
      phpEnvelope('api_buy_license', [
        ['sid', sid],
        ['ip', '4.4.4.4'],
        ['type', '5006', 'xsd:int'],
        ['coupon', ''],
      ]),
    );

    await expect(attempt).rejects.toThrow();
    expect(s.state.licenses).toMatchObject([{ license_ip: '4.4.4.4', license_status: 'pending' }]);
    expect(s.state.invoices).toHaveLength(1);
  });

  it('answers a forced error as status/status_text for status operations and as a Server fault otherwise', async () => {
    const s = await start({ faults: { forcedError: 'Something went wrong', operations: ['api_buy_license', 'api_licenses_get_services'] } });
    const sid = await login(s);
    const forced = await buy(s, sid, '4.4.4.4', 5006);
    s.faults.set({ forcedError: 'Database unavailable' });
    const listed = await postSoap(s, phpEnvelope('api_licenses_get_services', [['sid', sid]]));

    expect(forced).toMatchObject({ status: 'error', text: 'Something went wrong' });
    expect(listed.status).toBe(500);
    expect(field(listed.xml, 'faultstring')).toBe('Database unavailable');
  });

  it('never records the api_login password', async () => {
    const s = await start();
    await login(s);
    expect(JSON.stringify(s.state.requests)).not.toContain('sandbox-password');
  });

  it('never records a password that the client had to escape, in escaped or CDATA form', async () => {
    const s = await start({ password: 'p&ss<w>rd' });
    const escaped = await call(s, 'api_login', [
      ['username', 'procure'],
      ['password', 'p&amp;ss&lt;w&gt;rd'],
    ]);
    const cdata = await call(s, 'api_login', [
      ['username', 'procure'],
      ['password', 'p&amp;ss<![CDATA[<w>]]>rd'],
    ]);

    expect([field(escaped, 'return'), field(cdata, 'return')]).not.toContain(''); // both logins worked
    const recorded = JSON.stringify(s.state.requests);
    for (const piece of ['p&ss', 'p&amp;ss', 'ss&lt;w', '<w>', 'rd</password>']) expect(recorded).not.toContain(piece);
    expect(s.state.requests.map((r) => r.raw.includes('<password xsi:type="xsd:string">[REDACTED]</password>'))).toEqual([true, true]);
  });
});
