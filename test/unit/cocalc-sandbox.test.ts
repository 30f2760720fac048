import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { computeSiteLicenseCost } from '../../lambdas/vendors/cocalc/core/pricing';
import { COCALC_SANDBOX_DEFAULTS, startCocalcSandbox, type CocalcSandbox, type CocalcSandboxOptions } from '../../lib/local/sandboxes/cocalc';

// The sandbox checked against shared/vendors/cocalc-api-v2.md (section numbers below), over real HTTP.

const KEY = COCALC_SANDBOX_DEFAULTS.apiKey;
const ACCOUNT = COCALC_SANDBOX_DEFAULTS.accountId;
const T0 = Date.parse('2026-07-10T12:00:00.000Z');

/** The doc example item (§4.4): $63.75 a month. */
const DOC_ITEM = {
  type: 'quota',
  user: 'business',
  period: 'monthly',
  run_limit: 1,
  ram: 16,
  cpu: 2,
  disk: 10,
  member: true,
  uptime: 'medium',
  boost: false,
  title: 'my title',
  description: 'my desc',
};

let sandbox: CocalcSandbox;
let clock = T0;
afterEach(async () => {
  await sandbox?.close();
});

/** A sandbox on a controllable clock, throttle off unless asked. */
async function start(opts: CocalcSandboxOptions = {}): Promise<CocalcSandbox> {
  clock = T0;
  sandbox = await startCocalcSandbox({ throttle: false, now: () => new Date(clock), ...opts });
  return sandbox;
}

interface Reply {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

/** One raw HTTP call. `key: null` sends no Authorization header. */
async function call(
  endpoint: string,
  body?: unknown,
  opts: { key?: string | null; authorization?: string; method?: string; contentType?: string | null; raw?: string } = {},
): Promise<Reply> {
  const key = opts.key === undefined ? KEY : opts.key;
  const headers: Record<string, string> = {};
  if (opts.authorization) headers.authorization = opts.authorization;
  else if (key !== null) headers.authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
  const method = opts.method ?? 'POST';
  const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await request(`${sandbox.url}/${endpoint}`, { method: method as 'POST', headers, body: payload });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, contentType: String(res.headers['content-type']), text, json };
}

async function json(endpoint: string, body?: unknown, key?: string): Promise<unknown> {
  const r = await call(endpoint, body ?? {}, { key });
  expect(r.status).toBe(200);
  return r.json;
}

async function add(description: Record<string, unknown> = DOC_ITEM, extra: Record<string, unknown> = {}, key?: string): Promise<unknown> {
  return json('shopping/cart/add', { product: 'site-license', description, ...extra }, key);
}

async function admin(path: string, method: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await request(`${sandbox.url.replace(/\/api\/v2$/, '')}${path}`, {
    method: method as 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, json: await res.body.json() };
}

describe('CoCalc sandbox: authentication (§1)', () => {
  const anonymous: Array<[string, unknown]> = [
    ['user-query', { error: "FATAL: anonymous get queries not allowed for table 'accounts'" }],
    ['shopping/cart/add', { error: 'must be signed in to use shopping cart' }],
    ['shopping/cart/edit', { error: 'must be signed in to use shopping cart' }],
    ['shopping/cart/get', { error: 'must be signed in to get shopping cart information' }],
    ['shopping/cart/remove', { error: 'must be signed in to get shopping cart information' }],
    ['shopping/cart/delete', { error: 'must be signed in to get shopping cart information' }],
    ['shopping/cart/checked', { error: 'must be signed in to get shopping cart information' }],
    ['shopping/cart/recent-purchases', { error: 'must be signed in to get shopping cart information' }],
    ['purchases/shopping-cart-checkout', { error: 'must be signed in' }],
    ['purchases/get-shopping-cart-checkout-params', { error: 'must be signed in' }],
    ['purchases/get-balance', { error: 'must be signed in' }],
    ['shopping/cart/checkout', { error: 'must be signed in to check out' }],
    ['licenses/get-managed', []],
  ];

  it.each(anonymous)('answers %s from an unknown key with HTTP 200 and its own text', async (endpoint, expected) => {
    await start();
    const body = endpoint === 'user-query' ? { query: { accounts: { account_id: null, email_address: null } } } : { id: 1000, product: 'site-license' };
    const r = await call(endpoint, body, { key: 'sk_not_a_real_key' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual(expected);
  });

  it('treats a missing header and an unknown scheme as anonymous too', async () => {
    await start();
    expect((await call('purchases/get-balance', {}, { key: null })).json).toEqual({ error: 'must be signed in' });
    expect((await call('purchases/get-balance', {}, { authorization: `Token ${KEY}` })).json).toEqual({ error: 'must be signed in' });
  });

  it('accepts the key as the Basic username (any password) and as a Bearer token', async () => {
    await start({ balance: 12.5 });
    const basicWithPassword = `Basic ${Buffer.from(`${KEY}:ignored`).toString('base64')}`;
    expect((await call('purchases/get-balance', {}, { authorization: basicWithPassword })).json).toBe(12.5);
    expect((await call('purchases/get-balance', {}, { authorization: `Bearer ${KEY}` })).json).toBe(12.5);
  });
});

describe('CoCalc sandbox: HTTP conventions (§2)', () => {
  it('runs a non-POST request with no parameters at all', async () => {
    await start();
    const r = await call('shopping/cart/add', undefined, { method: 'GET' });
    expect(r.json).toEqual({ error: "if id isn't specified then the product must be set" });
    expect((await call('user-query', undefined, { method: 'GET' })).json).toEqual({ error: 'FATAL: must specify exactly one key in the query' });
  });

  it('loses a JSON body sent without Content-Type: application/json (plain curl -d)', async () => {
    await start();
    const r = await call('shopping/cart/add', undefined, {
      contentType: 'application/x-www-form-urlencoded',
      raw: JSON.stringify({ product: 'site-license', description: DOC_ITEM }),
    });
    expect(r.json).toEqual({ error: "if id isn't specified then the product must be set" });
    expect(sandbox.account(ACCOUNT).cart).toHaveLength(0);
  });

  it('answers malformed JSON with a 400 that is not JSON', async () => {
    await start();
    const r = await call('shopping/cart/add', undefined, { raw: '{"product":' });
    expect(r.status).toBe(400);
    expect(r.json).toBeUndefined();
  });

  it('answers an unknown endpoint with an HTML 404 page', async () => {
    await start();
    const r = await call('shopping/cart/nope', {});
    expect(r.status).toBe(404);
    expect(r.contentType).toMatch(/^text\/html/);
    expect(r.text).toContain('This page could not be found');
  });
});

describe('CoCalc sandbox: user-query (§3)', () => {
  it('fills in the null leaves of an accounts get, as one row or as a list', async () => {
    await start();
    expect(await json('user-query', { query: { accounts: { account_id: null, email_address: null } } })).toEqual({
      query: { accounts: { account_id: ACCOUNT, email_address: 'wstein@gmail.com' } },
    });
    expect(await json('user-query', { query: { accounts: [{ account_id: null }] } })).toEqual({ query: { accounts: [{ account_id: ACCOUNT }] } });
  });

  it('refuses unknown fields, several tables and anonymous sets with the vendor texts', async () => {
    await start();
    expect(await json('user-query', { query: { accounts: { password_hash: null } } })).toEqual({
      error: 'FATAL: user get query not allowed for accounts.password_hash',
    });
    expect(await json('user-query', { query: { accounts: { account_id: null }, projects: { project_id: null } } })).toEqual({
      error: 'FATAL: must specify exactly one key in the query',
    });
    const r = await call('user-query', { query: { accounts: { first_name: 'Eve' } } }, { key: 'sk_unknown' });
    expect(r.json).toEqual({ error: 'FATAL: no anonymous set queries' });
  });
});

describe('CoCalc sandbox: shopping/cart/add (§4.3)', () => {
  it("answers the bare number 1, not the new id, and stores the item checked for the key's account", async () => {
    await start();
    const r = await call('shopping/cart/add', { account_id: '00000000-0000-4000-8000-000000000000', product: 'site-license', description: DOC_ITEM });
    expect(r.text).toBe('1');
    const [item] = sandbox.account(ACCOUNT).cart;
    expect(item).toMatchObject({ account_id: ACCOUNT, checked: true, removed: null, purchased: null, product: 'site-license', project_id: null });
    expect(item!.id).toBeGreaterThan(1);
    expect(item!.description).toEqual(DOC_ITEM);
  });

  it('draws ids from one counter shared by all accounts', async () => {
    await start();
    const other = sandbox.addAccount();
    await add();
    await add(DOC_ITEM, {}, other.apiKey);
    await add();
    const mine = sandbox.account(ACCOUNT).cart.map((i) => i.id);
    const theirs = sandbox.account(other.accountId).cart.map((i) => i.id);
    expect(theirs[0]).toBe(mine[0]! + 1);
    expect(mine[1]).toBe(mine[0]! + 2);
  });

  it('needs a product, keeps a valid project_id and drops an invalid one', async () => {
    await start();
    expect(await json('shopping/cart/add', { description: DOC_ITEM })).toEqual({ error: "if id isn't specified then the product must be set" });
    const project = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    await add(DOC_ITEM, { project_id: project });
    await add(DOC_ITEM, { project_id: 'not-a-uuid' });
    expect(sandbox.account(ACCOUNT).cart.map((i) => i.project_id)).toEqual([project, null]);
  });

  it('shifts a range that starts in the past to start now, keeping its duration', async () => {
    await start();
    const range = ['2026-07-01T00:00:00.000Z', '2026-07-31T00:00:00.000Z'];
    await add({ ...DOC_ITEM, period: 'range', range });
    const stored = sandbox.account(ACCOUNT).cart[0]!.description as { range: string[] };
    expect(stored.range).toEqual([new Date(T0).toISOString(), new Date(T0 + 30 * 86_400_000).toISOString()]);
  });

  it('reports an unparseable range end as the RangeError it causes', async () => {
    await start();
    expect(await add({ ...DOC_ITEM, period: 'range', range: ['2026-07-01T00:00:00.000Z', 'soon'] })).toEqual({ error: 'Invalid time value' });
  });

  it('puts a saved-for-later item back, and buys a purchased one again without its project', async () => {
    await start();
    await add(DOC_ITEM, { project_id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301' });
    const id = sandbox.account(ACCOUNT).cart[0]!.id;
    expect(await json('shopping/cart/remove', { id })).toBe(1);
    expect(await json('shopping/cart/add', { id })).toBe(1);
    expect(sandbox.account(ACCOUNT).cart[0]).toMatchObject({ removed: null, checked: true });
    expect(await json('shopping/cart/add', { id })).toBe(0);
    expect(await json('shopping/cart/add', { id, purchased: true })).toEqual({ error: `no item with id ${id}` });
    await json('purchases/shopping-cart-checkout');
    expect(await json('shopping/cart/add', { id, purchased: true })).toBe(1);
    const again = sandbox.account(ACCOUNT).cart[1]!;
    expect(again).toMatchObject({ purchased: null, project_id: null, description: DOC_ITEM });
  });
});

describe('CoCalc sandbox: throttle of shopping/cart/add (§2)', () => {
  it('refuses the 4th add within a second with the exact vendor message', async () => {
    await start({ throttle: true });
    for (let i = 0; i < 3; i++) expect(await add()).toBe(1);
    expect(await add()).toEqual({
      error: 'too many requests to shopping/cart/add; try again in 1 second (rule: at most 3 requests per second)',
    });
    expect(sandbox.account(ACCOUNT).cart).toHaveLength(3);
  });

  it('refuses the 16th add within a minute and says how long to wait', async () => {
    await start({ throttle: true });
    for (let i = 0; i < 15; i++) {
      expect(await add()).toBe(1);
      clock += 2_000;
    }
    // The first add was 30 s ago: it leaves the minute window in 30 s.
    expect(await add()).toEqual({
      error: 'too many requests to shopping/cart/add; try again in 30 seconds (rule: at most 15 requests per minute)',
    });
    clock += 30_001;
    expect(await add()).toBe(1);
  });

  it('throttles per account and only when turned on', async () => {
    await start({ throttle: true });
    const other = sandbox.addAccount();
    for (let i = 0; i < 3; i++) await add();
    expect(await add(DOC_ITEM, {}, other.apiKey)).toBe(1);
    await sandbox.close();
    await start({ throttle: false });
    for (let i = 0; i < 5; i++) expect(await add()).toBe(1);
  });
});

describe('CoCalc sandbox: shopping/cart/get (§4.4)', () => {
  it('lists the current cart newest first, and purchased or removed items on request', async () => {
    await start();
    for (let i = 0; i < 3; i++) await add({ ...DOC_ITEM, title: `t${i}` });
    const ids = sandbox.account(ACCOUNT).cart.map((i) => i.id);
    await json('shopping/cart/remove', { id: ids[0] });
    const cart = (await json('shopping/cart/get')) as Array<{ id: number }>;
    expect(cart.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    expect(((await json('shopping/cart/get', { removed: true })) as Array<{ id: number }>).map((i) => i.id)).toEqual([ids[0]]);
    expect(await json('shopping/cart/get', { purchased: true })).toEqual([]);
  });

  it('returns one item by id in any state, or the vendor error', async () => {
    await start();
    await add();
    const id = sandbox.account(ACCOUNT).cart[0]!.id;
    await json('shopping/cart/remove', { id });
    expect(await json('shopping/cart/get', { id })).toMatchObject({ id, removed: new Date(T0).toISOString() });
    expect(await json('shopping/cart/get', { id: 999_999 })).toEqual({ error: 'no item with id 999999' });
  });

  it('moves a past start to now and stretches the end to start + 1 h, and persists the fix', async () => {
    await start();
    const start0 = new Date(T0 + 60_000).toISOString();
    await add({ ...DOC_ITEM, period: 'range', range: [start0, new Date(T0 + 120_000).toISOString()] });
    clock = T0 + 10 * 60_000; // the start is now 9 minutes in the past
    const [item] = (await json('shopping/cart/get')) as Array<{ description: { range: string[] } }>;
    const fixed = [new Date(clock).toISOString(), new Date(clock + 3_600_000).toISOString()];
    expect(item!.description.range).toEqual(fixed);
    expect((sandbox.account(ACCOUNT).cart[0]!.description as { range: string[] }).range).toEqual(fixed);
  });
});

describe('CoCalc sandbox: remove, delete, edit, checked (§4.5)', () => {
  it('remove saves for later once; delete removes unpurchased items, saved ones included', async () => {
    await start();
    await add();
    await add();
    const [a, b] = sandbox.account(ACCOUNT).cart.map((i) => i.id);
    expect(await json('shopping/cart/remove', { id: a })).toBe(1);
    expect(await json('shopping/cart/remove', { id: a })).toBe(0);
    expect(await json('shopping/cart/delete', { id: a })).toBe(1);
    expect(await json('shopping/cart/delete', { id: a })).toBe(0);
    await json('purchases/shopping-cart-checkout');
    expect(await json('shopping/cart/delete', { id: b })).toBe(0);
    expect(await json('shopping/cart/remove', { id: b })).toBe(0);
  });

  it('edit replaces the description whole, and does nothing without product or description', async () => {
    await start();
    await add();
    const id = sandbox.account(ACCOUNT).cart[0]!.id;
    expect(await json('shopping/cart/edit', { id })).toBe(0);
    expect(await json('shopping/cart/edit', { id, description: { user: 'academic' } })).toBe(1);
    expect(sandbox.account(ACCOUNT).cart[0]!.description).toEqual({ user: 'academic' });
  });

  it('checked sets one item or every current item, and counts them', async () => {
    await start();
    for (let i = 0; i < 3; i++) await add();
    const ids = sandbox.account(ACCOUNT).cart.map((i) => i.id);
    await json('shopping/cart/remove', { id: ids[2] });
    expect(await json('shopping/cart/checked', { checked: false })).toBe(2);
    expect(await json('shopping/cart/checked', { checked: true, id: ids[0] })).toBe(1);
    expect(sandbox.account(ACCOUNT).cart.map((i) => i.checked)).toEqual([true, false, true]);
  });

  it("never touches another account's items", async () => {
    await start();
    const other = sandbox.addAccount();
    await add();
    const id = sandbox.account(ACCOUNT).cart[0]!.id;
    for (const endpoint of ['shopping/cart/remove', 'shopping/cart/delete', 'shopping/cart/checked']) {
      expect(await json(endpoint, { id, checked: false }, other.apiKey)).toBe(0);
    }
    expect(await json('shopping/cart/edit', { id, product: 'x' }, other.apiKey)).toBe(0);
    expect(await json('shopping/cart/get', { id }, other.apiKey)).toEqual({ error: `no item with id ${id}` });
    expect(sandbox.account(ACCOUNT).cart[0]).toMatchObject({ checked: true, removed: null, product: 'site-license' });
  });
});

describe('CoCalc sandbox: purchases/shopping-cart-checkout (§4.7)', () => {
  it('buys the checked items from the balance, creates licenses and sets purchased.license_id', async () => {
    await start({ balance: 100 });
    await add();
    await add({ ...DOC_ITEM, title: 'not bought' });
    const [bought, unchecked] = sandbox.account(ACCOUNT).cart.map((i) => i.id);
    await json('shopping/cart/checked', { checked: false, id: unchecked });
    expect(await json('purchases/shopping-cart-checkout')).toEqual({ success: true });
    expect(await json('purchases/get-balance')).toBe(36.25);
    const [item] = (await json('shopping/cart/get', { purchased: true })) as Array<{ id: number; purchased: { license_id: string } }>;
    expect(item!.id).toBe(bought);
    expect(item!.purchased).toEqual({ success: true, time: new Date(T0).toISOString(), license_id: expect.any(String) });
    const account = sandbox.account(ACCOUNT);
    expect(account.licenses.map((l) => l.id)).toEqual([item!.purchased.license_id]);
    expect(account.purchases).toMatchObject([{ service: 'license', cost: 63.75, tag: 'license-purchase' }]);
    expect(account.subscriptions).toMatchObject([{ interval: 'month', cost: 63.75, status: 'active' }]);
    expect((await json('shopping/cart/get')) as unknown[]).toHaveLength(1);
  });

  it('reports what is due with get-shopping-cart-checkout-params, priced as procure quotes', async () => {
    await start({ balance: 100 });
    const yearly = { ...DOC_ITEM, period: 'yearly', run_limit: 3, user: 'academic' };
    await add(DOC_ITEM);
    await add(yearly);
    const params = (await json('purchases/get-shopping-cart-checkout-params')) as Record<string, unknown> & { cart: Array<Record<string, unknown>> };
    const expectedTotal = computeSiteLicenseCost(DOC_ITEM as never).lineItemAmount + computeSiteLicenseCost(yearly as never).lineItemAmount;
    expect(params).toMatchObject({ balance: 100, minPayment: 2.5, minBalance: 0, total: expectedTotal, cureAmount: 0 });
    expect(params.amountDue).toBe(Math.round((expectedTotal - 100) * 100) / 100);
    expect(params.cart[1]).toMatchObject({
      product: 'site-license',
      lineItemAmount: 63.75,
      cost: { cost: 63.75, cost_per_unit: 63.75, cost_per_project_per_month: 63.75, cost_sub_month: 63.75, cost_sub_year: 765, quantity: 1, period: 'monthly' },
    });
  });

  it('refuses with the exact insufficient-credit text when more than $3 would be due', async () => {
    await start({ balance: 60.74 });
    await add();
    expect(await json('purchases/shopping-cart-checkout')).toEqual({
      error: 'Insufficient credit on your account to complete the purchase (you need $3.01). Please refresh your browser and try again or contact support.',
    });
    expect(sandbox.account(ACCOUNT).licenses).toHaveLength(0);
    expect(await json('purchases/get-balance')).toBe(60.74);
  });

  it('allows up to $3 of slack below minBalance', async () => {
    await start({ balance: 60.75 });
    await add();
    expect(await json('purchases/shopping-cart-checkout')).toEqual({ success: true });
    expect(await json('purchases/get-balance')).toBe(-3);
  });

  it('lets a negative minBalance act as a credit line', async () => {
    await start({ balance: 0, minBalance: -100 });
    await add();
    expect(await json('purchases/shopping-cart-checkout')).toEqual({ success: true });
    expect(await json('purchases/get-balance')).toBe(-63.75);
  });

  it('formats large amounts like the vendor ($6,375.00)', async () => {
    await start({ balance: 0 });
    await add({ ...DOC_ITEM, run_limit: 100 });
    expect(await json('purchases/shopping-cart-checkout')).toMatchObject({ error: expect.stringContaining('(you need $6,375.00)') });
  });

  it('buys all or nothing: one bad item leaves every item, license and the balance untouched', async () => {
    await start({ balance: 500 });
    await add();
    await add({ ...DOC_ITEM, member: 'yes' });
    expect(await json('purchases/shopping-cart-checkout')).toEqual({ error: 'field "custom_member" must be boolean' });
    const account = sandbox.account(ACCOUNT);
    expect(account.cart.every((i) => i.purchased === null)).toBe(true);
    expect([account.licenses.length, account.purchases.length, account.balance]).toEqual([0, 0, 500]);
  });

  it.each([
    ['an unknown user', { user: 'student' }, 'unknown user student'],
    ['no run_limit', { run_limit: undefined }, 'bug cost must not be null'],
    ['a range without an end', { period: 'range', range: ['2026-08-01T00:00:00.000Z'] }, 'bug cost must not be null'],
    ['a dedicated VM', { type: 'vm' }, 'computing cost of item of type vm is deprecated'],
    ['an unknown uptime', { uptime: 'week' }, 'field "custom_uptime" must be one of short, medium, day or "always_running"'],
    ['negative RAM', { ram: -1 }, 'field "custom_ram" too small or too big'],
    ['CPU as a string', { cpu: '2' }, 'field "custom_cpu" must be number'],
  ])('fails the purchase of an item with %s, with the vendor message', async (_label, change, message) => {
    await start();
    await add({ ...DOC_ITEM, ...change });
    expect(await json('purchases/shopping-cart-checkout')).toEqual({ error: message });
  });

  it('buys a reversed range as the one hour the cart read repairs it to', async () => {
    // ensureValidLicenseIntervals (§4.4) runs before the sanity check's "end date must be after
    // start date" can see the range, in the vendor as here.
    await start();
    const start0 = '2026-09-01T00:00:00.000Z';
    await add({ ...DOC_ITEM, period: 'range', range: [start0, '2026-08-01T00:00:00.000Z'] });
    expect(await json('purchases/shopping-cart-checkout')).toEqual({ success: true });
    const [license] = sandbox.account(ACCOUNT).licenses;
    expect([license!.activates, license!.expires]).toEqual([Date.parse(start0), Date.parse(start0) + 3_600_000]);
  });

  it('answers success for an empty cart and charges nothing', async () => {
    await start({ balance: 5 });
    expect(await json('purchases/shopping-cart-checkout')).toEqual({ success: true });
    expect(await json('purchases/get-balance')).toBe(5);
  });
});

describe('CoCalc sandbox: licenses/get-managed (§6)', () => {
  it('lists licenses newest first with epoch-ms dates and the §6 shape', async () => {
    await start();
    await add();
    await json('purchases/shopping-cart-checkout');
    clock += 1_000;
    await add({ ...DOC_ITEM, period: 'range', range: ['2026-08-01T00:00:00.000Z', '2026-08-31T00:00:00.000Z'], title: 'range' });
    await json('purchases/shopping-cart-checkout');
    const [newest, oldest] = (await json('licenses/get-managed')) as Array<Record<string, unknown>>;
    expect(newest).toMatchObject({
      title: 'range',
      created: T0 + 1_000,
      activates: Date.parse('2026-08-01T00:00:00.000Z'),
      expires: Date.parse('2026-08-31T00:00:00.000Z'),
      is_manager: true,
    });
    expect(oldest).toEqual({
      id: expect.any(String),
      title: 'my title',
      description: 'my desc',
      expires: Date.parse('2026-08-10T23:59:59.999Z'),
      activates: T0 - 60_000,
      last_used: null,
      created: T0,
      managers: [ACCOUNT],
      upgrades: null,
      quota: {
        user: 'business',
        ram: 16,
        cpu: 2,
        dedicated_ram: 0,
        dedicated_cpu: 0,
        disk: 10,
        always_running: false,
        idle_timeout: 'medium',
        member: true,
        boost: false,
      },
      run_limit: 1,
      info: { purchased: expect.objectContaining({ version: '3', subscription: 'monthly', custom_uptime: 'medium', quantity: 1 }) },
      is_manager: true,
    });
  });

  it('pages with limit and skip, ignoring zeros', async () => {
    await start();
    for (let i = 0; i < 5; i++) {
      await add({ ...DOC_ITEM, title: `L${i}` });
      await json('purchases/shopping-cart-checkout');
      clock += 1_000;
    }
    const titles = async (body: unknown) => ((await json('licenses/get-managed', body)) as Array<{ title: string }>).map((l) => l.title);
    expect(await titles({})).toEqual(['L4', 'L3', 'L2', 'L1', 'L0']);
    expect(await titles({ limit: 2 })).toEqual(['L4', 'L3']);
    expect(await titles({ limit: 2, skip: 2 })).toEqual(['L2', 'L1']);
    expect(await titles({ limit: 0, skip: 0 })).toHaveLength(5);
    expect(await titles({ skip: 4 })).toEqual(['L0']);
  });
});

describe('CoCalc sandbox: the old shopping/cart/checkout (§4.6)', () => {
  it('asks a non-partner for a reCaptcha token, even via GET', async () => {
    await start();
    await add();
    expect((await call('shopping/cart/checkout', undefined, { method: 'GET' })).text).toBe('{"error":"reCaptcha token must be provided"}');
    expect(await json('shopping/cart/checkout', { reCaptchaToken: '' })).toEqual({ error: 'reCaptcha token must be provided' });
    expect(sandbox.account(ACCOUNT).licenses).toHaveLength(0);
  });

  it('buys with a token, or for a partner without one, spending from the balance', async () => {
    await start({ balance: 200 });
    await add();
    expect(await json('shopping/cart/checkout', { reCaptchaToken: 'tok' })).toEqual({ success: true });
    expect(await json('purchases/get-balance')).toBe(136.25);
    await admin('/__admin/accounts', 'POST', { partner: true });
    await add();
    expect((await call('shopping/cart/checkout', undefined, { method: 'GET' })).json).toEqual({ success: true });
    expect(sandbox.account(ACCOUNT).licenses).toHaveLength(2);
  });

  it('skips the captcha when the server has none, and sells only site licenses', async () => {
    await start({ captcha: false });
    await json('shopping/cart/add', { product: 'cash-voucher', description: { type: 'cash-voucher', amount: 10 } });
    expect(await json('shopping/cart/checkout')).toEqual({ error: "only the 'site-license' product is currently implemented" });
  });
});

describe('CoCalc sandbox: faults and admin', () => {
  it('arms faults at run time through /__admin/faults and clears them with DELETE', async () => {
    await start();
    await admin('/__admin/faults', 'POST', { failNext: 1, operations: ['purchases/get-balance'] });
    expect((await call('shopping/cart/get', {})).status).toBe(200);
    expect((await call('purchases/get-balance', {})).status).toBe(503);
    expect((await call('purchases/get-balance', {})).status).toBe(200);
    await admin('/__admin/faults', 'POST', { forcedError: 'boom' });
    expect((await admin('/__admin/faults', 'DELETE')).json).toEqual({});
    expect(await json('purchases/get-balance')).toBe(1000);
  });

  it('applies a checkout and then drops the connection (applyThenDropNext)', async () => {
    await start({ faults: { applyThenDropNext: 1, operations: ['purchases/shopping-cart-checkout'] } });
    await add();
    await expect(call('purchases/shopping-cart-checkout', {})).rejects.toThrow();
    expect(sandbox.account(ACCOUNT).licenses).toHaveLength(1);
    expect(await json('purchases/get-balance')).toBe(936.25);
  });

  it('answers a forced vendor error instead of running', async () => {
    await start({ faults: { forcedError: 'something odd', operations: ['shopping/cart/add'] } });
    expect(await add()).toEqual({ error: 'something odd' });
    expect(sandbox.account(ACCOUNT).cart).toHaveLength(0);
  });

  it('changes balance and partner flag, and adds accounts, through /__admin/accounts', async () => {
    await start();
    const changed = await admin('/__admin/accounts', 'POST', { account: ACCOUNT, balance: 7.5, partner: true });
    expect(changed.json).toMatchObject({ accountId: ACCOUNT, balance: 7.5, partner: true });
    expect(await json('purchases/get-balance')).toBe(7.5);
    const created = (await admin('/__admin/accounts', 'POST', { create: true, balance: 3 })).json as { apiKey: string };
    expect(await json('purchases/get-balance', {}, created.apiKey)).toBe(3);
    expect((await admin('/__admin/accounts', 'POST', { balance: 'lots' })).status).toBe(400);
    expect((await admin('/__admin/accounts', 'POST', { account: 'nobody' })).status).toBe(404);
  });
});
