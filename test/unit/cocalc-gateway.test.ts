import { afterEach, describe, expect, it } from 'vitest';
import { UndiciCocalcGateway, createCocalcGateway, toVendorError, type UndiciCocalcGatewayOptions } from '../../lambdas/vendors/cocalc/adapters';
import { siteLicenseDescriptionSchema, type SiteLicenseDescription } from '../../lambdas/vendors/cocalc/core/license';
import { computeSiteLicenseCost } from '../../lambdas/vendors/cocalc/core/pricing';
import { VendorAuthError, VendorRateLimitedError, VendorRejectedError, VendorTransientError } from '../../lambdas/core/errors';
import { CaptchaRequiredError, InsufficientCreditError } from '../../lambdas/vendors/cocalc/core/errors';
import { COCALC_SANDBOX_DEFAULTS, startCocalcSandbox, type CocalcSandbox, type CocalcSandboxOptions } from '../../lib/local/sandboxes/cocalc';

// UndiciCocalcGateway against the CoCalc sandbox over real HTTP on 127.0.0.1.

const KEY = COCALC_SANDBOX_DEFAULTS.apiKey;
const ACCOUNT = COCALC_SANDBOX_DEFAULTS.accountId;
const T0 = Date.parse('2026-07-10T12:00:00.000Z');

const DOC: SiteLicenseDescription = siteLicenseDescriptionSchema.parse({
  user: 'business',
  period: 'monthly',
  run_limit: 1,
  ram: 16,
  cpu: 2,
  disk: 10,
  member: true,
  uptime: 'medium',
  title: 'my title',
  description: 'my desc',
});
const ACADEMIC_YEARLY: SiteLicenseDescription = siteLicenseDescriptionSchema.parse({
  user: 'academic',
  period: 'yearly',
  run_limit: 2,
  ram: 4,
  cpu: 1,
  disk: 10,
  member: true,
  uptime: 'short',
});

let sandbox: CocalcSandbox;
afterEach(async () => {
  await sandbox?.close();
});

async function start(opts: CocalcSandboxOptions = {}): Promise<CocalcSandbox> {
  sandbox = await startCocalcSandbox({ throttle: false, ...opts });
  return sandbox;
}

function gateway(opts: Partial<UndiciCocalcGatewayOptions> = {}): UndiciCocalcGateway {
  return new UndiciCocalcGateway({ baseUrl: sandbox.url, apiKey: KEY, checkoutMode: 'current', ...opts });
}

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('UndiciCocalcGateway: operations', () => {
  it('verifies the key with user-query and returns the account id and email', async () => {
    await start();
    expect(await gateway().verifyKey()).toEqual({ accountId: ACCOUNT, email: 'wstein@gmail.com' });
  });

  it("adds a site license and returns the new item id, not the vendor's row count", async () => {
    await start();
    const project = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const id = await gateway().addToCart(DOC, project);
    const [stored] = sandbox.account(ACCOUNT).cart;
    expect(id).toBe(stored!.id);
    expect(id).not.toBe(1);
    const item = await gateway().getCartItem(id);
    expect(item).toEqual({
      id,
      added: expect.any(String),
      checked: true,
      removed: null,
      purchased: null,
      product: 'site-license',
      description: JSON.parse(JSON.stringify(DOC)),
      projectId: project,
    });
  });

  it('never picks an identical item that was already in the cart', async () => {
    await start();
    const gw = gateway();
    const first = await gw.addToCart(DOC);
    const second = await gw.addToCart(DOC);
    expect(second).toBeGreaterThan(first);
    // Identical adds one after another (AddToCart serializes them under the account lock, and
    // procure's items differ by their tag anyway) each get their own item.
    const ids = [await gw.addToCart(DOC), await gateway().addToCart(DOC), await gw.addToCart(DOC)];
    expect(new Set([first, second, ...ids]).size).toBe(5);
    expect(
      sandbox
        .account(ACCOUNT)
        .cart.map((i) => i.id)
        .sort(),
    ).toEqual([first, second, ...ids].sort());
  });

  it('finds its item although the vendor rewrote a past range', async () => {
    await start({ now: () => new Date(T0) });
    const range = siteLicenseDescriptionSchema.parse({ ...ACADEMIC_YEARLY, period: 'range', range: ['2026-07-01T00:00:00.000Z', '2026-07-31T00:00:00.000Z'] });
    const id = await gateway().addToCart(range);
    expect(sandbox.account(ACCOUNT).cart.map((i) => i.id)).toEqual([id]);
    expect((await gateway().getCartItem(id)).description.range).toEqual([new Date(T0).toISOString(), new Date(T0 + 30 * 86_400_000).toISOString()]);
  });

  it('saves for later, deletes and (un)checks items', async () => {
    await start();
    const gw = gateway();
    const a = await gw.addToCart(DOC);
    const b = await gw.addToCart(ACADEMIC_YEARLY);
    expect(await gw.removeFromCart(a)).toBe(true);
    expect(await gw.removeFromCart(a)).toBe(false);
    expect((await gw.getCart()).map((i) => i.id)).toEqual([b]);
    expect(await gw.deleteFromCart(a)).toBe(true);
    expect(await gw.deleteFromCart(a)).toBe(false);
    expect(await gw.setChecked(false)).toBe(1);
    expect((await gw.getCartItem(b)).checked).toBe(false);
    expect(await gw.setChecked(true, b)).toBe(1);
    expect((await gw.getCartItem(b)).checked).toBe(true);
  });

  it('reads the checkout parameters, priced by the same formula procure quotes with', async () => {
    await start({ balance: 50 });
    const gw = gateway();
    const a = await gw.addToCart(DOC);
    const b = await gw.addToCart(ACADEMIC_YEARLY);
    const quoted = computeSiteLicenseCost(DOC).lineItemAmount + computeSiteLicenseCost(ACADEMIC_YEARLY).lineItemAmount;
    expect(await gw.checkoutParams()).toEqual({
      balance: 50,
      minBalance: 0,
      minPayment: 2.5,
      amountDue: quoted - 50,
      chargeAmount: quoted - 50,
      total: quoted,
      cart: [
        { id: b, lineItemAmount: 180 },
        { id: a, lineItemAmount: 63.75 },
      ],
    });
  });

  it('checks out from the balance (current mode) and lists the licenses, newest first and paged', async () => {
    let now = T0;
    await start({ now: () => new Date(now) });
    const gw = gateway();
    for (const title of ['one', 'two', 'three']) {
      await gw.addToCart({ ...DOC, title });
      await gw.checkout();
      now += 1_000;
    }
    const purchased = await gw.getPurchasedItems();
    expect(purchased).toHaveLength(3);
    const licenses = await gw.listManagedLicenses();
    expect(licenses.map((l) => l.title)).toEqual(['three', 'two', 'one']);
    expect(purchased.map((i) => i.purchased?.licenseId)).toEqual(licenses.map((l) => l.id));
    expect(licenses[2]).toEqual({
      id: expect.any(String),
      title: 'one',
      description: 'my desc',
      created: T0,
      activates: T0 - 60_000,
      expires: Date.parse('2026-08-10T23:59:59.999Z'),
      runLimit: 1,
      quota: expect.objectContaining({ ram: 16, idle_timeout: 'medium' }),
    });
    expect((await gw.listManagedLicenses({ limit: 1, skip: 1 })).map((l) => l.title)).toEqual(['two']);
    expect(sandbox.account(ACCOUNT).balance).toBe(1000 - 3 * 63.75);
  });

  it('checks out with the legacy endpoint: captcha for non-partners, token or partner status passes', async () => {
    await start();
    await gateway().addToCart(DOC);
    const legacy = gateway({ checkoutMode: 'legacy' });
    const err = await caught(legacy.checkout());
    expect(err).toBeInstanceOf(CaptchaRequiredError);
    expect(err.message).toContain('reCaptcha token must be provided');
    await gateway({ checkoutMode: 'legacy', reCaptchaToken: 'tok' }).checkout();
    expect(sandbox.account(ACCOUNT).licenses).toHaveLength(1);
    sandbox.account(ACCOUNT).partner = true;
    await gateway().addToCart(DOC);
    await legacy.checkout();
    expect(sandbox.account(ACCOUNT).licenses).toHaveLength(2);
  });

  it('is built by the factory with the vendor base URL by default', async () => {
    await start();
    const gw = createCocalcGateway({ baseUrl: sandbox.url, apiKey: KEY, checkoutMode: 'current' });
    expect(gw).toBeInstanceOf(UndiciCocalcGateway);
    expect((await gw.verifyKey()).accountId).toBe(ACCOUNT);
  });
});

describe('UndiciCocalcGateway: typed vendor errors', () => {
  it('turns an unknown key into VendorAuthError, on every kind of endpoint', async () => {
    await start();
    const gw = gateway({ apiKey: 'sk_wrong_key_0000' });
    for (const op of [() => gw.verifyKey(), () => gw.getCart(), () => gw.addToCart(DOC), () => gw.checkout(), () => gw.checkoutParams()]) {
      expect(await caught(op())).toBeInstanceOf(VendorAuthError);
    }
  });

  it('turns the insufficient-credit text into InsufficientCreditError with the amount needed', async () => {
    await start({ balance: 60.74 });
    await gateway().addToCart(DOC);
    const err = await caught(gateway().checkout());
    expect(err).toBeInstanceOf(InsufficientCreditError);
    expect((err as InsufficientCreditError).amountNeeded).toBe(3.01);
  });

  it('parses amounts with thousands separators', () => {
    const err = toVendorError('x', 'Insufficient credit on your account to complete the purchase (you need $6,375.00). Please refresh', 'k');
    expect((err as InsufficientCreditError).amountNeeded).toBe(6375);
  });

  it('maps every other vendor text to VendorRejectedError', async () => {
    await start({ faults: { forcedError: 'unknown user student', operations: ['purchases/shopping-cart-checkout'] } });
    const err = await caught(gateway().checkout());
    expect(err).toBeInstanceOf(VendorRejectedError);
    expect(err.message).toBe('CoCalc purchases/shopping-cart-checkout: unknown user student');
  });

  it('surfaces a throttled add at once as VendorRateLimitedError with the seconds; nothing was added, nothing waited', async () => {
    await start({ now: () => new Date(T0), throttle: { perMinute: 1 } });
    const gw = gateway();
    await gw.addToCart(DOC);
    const started = Date.now();
    const err = await caught(gw.addToCart(DOC));
    expect(err).toBeInstanceOf(VendorRateLimitedError);
    expect((err as VendorRateLimitedError).retryAfterSeconds).toBe(60);
    // The caller (AddToCart) schedules the next try through the state machine; the gateway never sleeps.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(sandbox.account(ACCOUNT).cart).toHaveLength(1);
  });

  it('maps the other captcha texts to CaptchaRequiredError', () => {
    expect(toVendorError('x', 'Only humans are allowed to use this feature. Your score is 0.1', 'k')).toBeInstanceOf(CaptchaRequiredError);
    expect(toVendorError('x', 'reCaptcha may be misconfigured. [...]', 'k')).toBeInstanceOf(CaptchaRequiredError);
  });
});

describe('UndiciCocalcGateway: transport failures and malformed answers', () => {
  it('treats HTTP 503 as transient', async () => {
    await start({ faults: { failNext: 1 } });
    expect(await caught(gateway().getCart())).toBeInstanceOf(VendorTransientError);
    expect(await gateway().getCart()).toEqual([]);
  });

  it('treats a dropped connection as transient', async () => {
    await start({ faults: { dropNext: 1 } });
    expect(await caught(gateway().getCart())).toBeInstanceOf(VendorTransientError);
  });

  it('treats a timeout as transient', async () => {
    // undici checks headers/body timeouts on ~1 s ticks, so the server is made slower than that.
    await start({ faults: { latencyMs: 3_000 } });
    const started = Date.now();
    const err = await caught(gateway({ timeoutMs: 100 }).getCart());
    expect(err).toBeInstanceOf(VendorTransientError);
    expect(err.message).toMatch(/UND_ERR_HEADERS_TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('treats a refused connection as transient', async () => {
    await start();
    const url = sandbox.url;
    await sandbox.close();
    const gw = new UndiciCocalcGateway({ baseUrl: url, apiKey: KEY, checkoutMode: 'current' });
    const err = await caught(gw.getCart());
    expect(err).toBeInstanceOf(VendorTransientError);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('reports a checkout whose answer was lost as transient, although the purchase happened', async () => {
    await start({ faults: { applyThenDropNext: 1, operations: ['purchases/shopping-cart-checkout'] } });
    const gw = gateway();
    await gw.addToCart(DOC);
    expect(await caught(gw.checkout())).toBeInstanceOf(VendorTransientError);
    expect(await gw.listManagedLicenses()).toHaveLength(1);
  });

  it('treats a 200 that is not JSON as transient', async () => {
    await start({ faults: { respondWith: { body: '<html>proxy error</html>' } } });
    const err = await caught(gateway().getCart());
    expect(err).toBeInstanceOf(VendorTransientError);
    expect(err.message).toContain('not JSON');
  });

  it('rejects a read whose JSON has the wrong shape, instead of returning undefined fields', async () => {
    await start({ faults: { respondWith: { contentType: 'application/json', body: '[{"id":"x"}]' } } });
    const err = await caught(gateway().getCart());
    expect(err).toBeInstanceOf(VendorRejectedError);
    expect(err.message).toMatch(/unexpected response \(0\.id: /);
  });

  it('treats a malformed answer to a checkout as transient: its outcome is unknown', async () => {
    await start({ faults: { respondWith: { contentType: 'application/json', body: '{"ok":1}' } } });
    expect(await caught(gateway().checkout())).toBeInstanceOf(VendorTransientError);
  });

  it('rejects an HTTP 404 (wrong base URL) without retry hints', async () => {
    await start();
    const err = await caught(gateway({ baseUrl: sandbox.url.replace('/api/v2', '/api/v9') }).getCart());
    expect(err).toBeInstanceOf(VendorRejectedError);
    expect(err.message).toContain('HTTP 404');
  });
});

describe('UndiciCocalcGateway: the API key stays secret', () => {
  it('never puts the key in an error message, even when the vendor echoes it', async () => {
    const secret = 'sk-SECRETsecret123456XYZ';
    await start({ apiKey: secret, faults: { forcedError: `bad key ${secret}`, operations: ['shopping/cart/get'] } });
    const gw = gateway({ apiKey: secret });
    const errors: Error[] = [await caught(gw.getCart())];
    sandbox.faults.set({ failNext: 1 });
    errors.push(await caught(gw.getCart()));
    sandbox.faults.set({ respondWith: { body: `<p>${secret}</p>` } });
    errors.push(await caught(gw.getCart()));
    sandbox.faults.set({ respondWith: { status: 400, body: `key=${secret}` } });
    errors.push(await caught(gw.getCart()));
    errors.push(await caught(gateway({ apiKey: `${secret}-wrong` }).verifyKey()));
    sandbox.account(secret).balance = 0;
    await gw.addToCart(DOC);
    errors.push(await caught(gw.checkout()));
    expect(errors.map((e) => e.name)).toEqual([
      'VendorRejectedError',
      'VendorTransientError',
      'VendorTransientError',
      'VendorRejectedError',
      'VendorAuthError',
      'InsufficientCreditError',
    ]);
    for (const e of errors) {
      expect(`${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e)}`).not.toContain(secret);
    }
    expect(errors[0]!.message).toBe('CoCalc shopping/cart/get: bad key [redacted]');
  });
});
