import { ANONYMOUS, isRecord, requireAccount, type EndpointContext } from './endpoint';
import type { SandboxAccount, SandboxCartItem } from './state';

/** `shopping/cart/*` (cocalc-api-v2.md §4.3–§4.5). Every statement is scoped to the caller's account. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOUR_MS = 3_600_000;

/** §4.3. Returns the row count `1`, never the new id. `account_id` in the body is ignored. */
export function addToCart(ctx: EndpointContext): number {
  const account = requireAccount(ctx, ANONYMOUS.cartWrite);
  ctx.throttle?.check(account.accountId, 'shopping/cart/add', ctx.now.getTime());
  const { id, purchased, product, description, project_id } = ctx.params;
  if (id != null) return purchased ? buyItAgain(ctx, account, id) : putBackInCart(account, id);
  if (!product) throw new Error("if id isn't specified then the product must be set");
  const stored = description === undefined ? null : structuredClone(description);
  shiftPastRange(stored, ctx.now);
  account.cart.push(newItem(ctx, account, String(product), stored, typeof project_id === 'string' && UUID.test(project_id) ? project_id : null));
  return 1;
}

/** §4.4: `{}` the cart, `{purchased}` / `{removed}` other states, `{id}` one item in any state. */
export function getCart(ctx: EndpointContext): SandboxCartItem | SandboxCartItem[] {
  const account = requireAccount(ctx, ANONYMOUS.cartRead);
  const { id, purchased, removed } = ctx.params;
  if (id != null) return findItem(account, id);
  return listItems(account, { purchased: Boolean(purchased), removed: Boolean(removed) }, ctx.now);
}

/** §4.5 "save for later". */
export function removeFromCart(ctx: EndpointContext): number {
  const account = requireAccount(ctx, ANONYMOUS.cartRead);
  const item = account.cart.find((i) => i.id === Number(ctx.params.id) && i.removed === null && i.purchased === null);
  if (!item) return 0;
  item.removed = ctx.now.toISOString();
  return 1;
}

/** §4.5 hard delete of an unpurchased item, saved-for-later ones included. */
export function deleteFromCart(ctx: EndpointContext): number {
  const account = requireAccount(ctx, ANONYMOUS.cartRead);
  const index = account.cart.findIndex((i) => i.id === Number(ctx.params.id) && i.purchased === null);
  if (index < 0) return 0;
  account.cart.splice(index, 1);
  return 1;
}

/** §4.5: replaces product and/or description whole (no merge). */
export function editCartItem(ctx: EndpointContext): number {
  const account = requireAccount(ctx, ANONYMOUS.cartWrite);
  const { id, product, description } = ctx.params;
  if (product == null && description == null) return 0;
  const item = account.cart.find((i) => i.id === Number(id) && i.purchased === null);
  if (!item) return 0;
  if (product != null) item.product = String(product);
  if (description != null) item.description = structuredClone(description);
  return 1;
}

/**
 * §4.5: one item, or every current cart item when `id` is absent. Returns the count updated. Like
 * CoCalc's `setCheck` (`UPDATE ... WHERE account_id=$2 AND removed IS NULL AND purchased IS NULL
 * [AND id=$3]`), a purchased or saved-for-later item is never updated, even by id: answering 1 for
 * an id proves the item was still unpurchased.
 */
export function setChecked(ctx: EndpointContext): number {
  const account = requireAccount(ctx, ANONYMOUS.cartRead);
  const { id, checked } = ctx.params;
  const items = id != null ? current(account).filter((i) => i.id === Number(id)) : current(account);
  for (const item of items) item.checked = Boolean(checked);
  return items.length;
}

/** §4.5 `{recent?: "1 week"}`: items purchased within that (postgres) interval. */
export function recentPurchases(ctx: EndpointContext): SandboxCartItem[] {
  const account = requireAccount(ctx, ANONYMOUS.cartRead);
  const recent = ctx.params.recent ?? '1 week';
  const since = ctx.now.getTime() - intervalMs(String(recent));
  return account.cart.filter((i) => i.purchased?.time !== undefined && Date.parse(i.purchased.time) >= since).sort((a, b) => b.id - a.id);
}

/**
 * `purchased IS [NOT] NULL AND removed IS [NOT] NULL ORDER BY id DESC`, then the vendor's
 * ensureValidLicenseIntervals, which PERSISTS its range fixes (§4.4). Checkout reads the cart
 * through here too.
 */
export function listItems(account: SandboxAccount, filter: { purchased: boolean; removed: boolean }, now: Date): SandboxCartItem[] {
  const rows = account.cart.filter((i) => (i.purchased !== null) === filter.purchased && (i.removed !== null) === filter.removed).sort((a, b) => b.id - a.id);
  for (const row of rows) fixRangeForCart(row, now);
  return rows;
}

function current(account: SandboxAccount): SandboxCartItem[] {
  return account.cart.filter((i) => i.purchased === null && i.removed === null);
}

function findItem(account: SandboxAccount, id: unknown): SandboxCartItem {
  const item = account.cart.find((i) => i.id === Number(id));
  if (!item) throw new Error(`no item with id ${String(id)}`);
  return item;
}

function newItem(ctx: EndpointContext, account: SandboxAccount, product: string, description: unknown, projectId: string | null): SandboxCartItem {
  return {
    id: ctx.state.takeCartItemId(),
    account_id: account.accountId,
    added: ctx.now.toISOString(),
    checked: true,
    removed: null,
    purchased: null,
    product,
    description,
    project_id: projectId,
  };
}

/** §4.3 "buy it again": copies a purchased item into the cart, without its project. */
function buyItAgain(ctx: EndpointContext, account: SandboxAccount, id: unknown): number {
  const item = account.cart.find((i) => i.id === Number(id) && i.purchased !== null);
  if (!item) throw new Error(`no item with id ${String(id)}`);
  account.cart.push(newItem(ctx, account, item.product, structuredClone(item.description), null));
  return 1;
}

/** §4.3: a saved-for-later, unpurchased item goes back into the cart, checked. */
function putBackInCart(account: SandboxAccount, id: unknown): number {
  const item = account.cart.find((i) => i.id === Number(id) && i.removed !== null && i.purchased === null);
  if (!item) return 0;
  item.removed = null;
  item.checked = true;
  return 1;
}

/**
 * §4.3: a range whose start is past is shifted to start now, same duration; both ends are rewritten
 * with toISOString(), so an unparseable end throws RangeError "Invalid time value".
 */
function shiftPastRange(description: unknown, now: Date): void {
  if (!isRecord(description) || !Array.isArray(description.range) || description.range.length !== 2) return;
  const start = new Date(description.range[0] as string);
  if (!(start < now)) return;
  const end = new Date(description.range[1] as string);
  description.range = [now.toISOString(), new Date(now.getTime() + (end.getTime() - start.getTime())).toISOString()];
}

/** §4.4 ensureValidLicenseIntervals: start >= now, end >= start + 1 h. */
function fixRangeForCart(item: SandboxCartItem, now: Date): void {
  const range = isRecord(item.description) ? item.description.range : undefined;
  if (!Array.isArray(range) || !isRecord(item.description)) return;
  let start = new Date(range[0] as string);
  let end = new Date(range[1] as string);
  let changed = false;
  if (start < now) {
    start = now;
    changed = true;
  }
  const oneHourLater = new Date(start.getTime() + HOUR_MS);
  if (end < oneHourLater) {
    end = oneHourLater;
    changed = true;
  }
  if (changed) item.description.range = [start.toISOString(), end.toISOString()];
}

const UNIT_MS: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: HOUR_MS,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365.25 * 86_400_000,
};

/** The simple postgres intervals the API is called with ("1 week", "3 days"). */
function intervalMs(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(second|minute|hour|day|week|month|year)s?\s*$/i.exec(text);
  if (!m) throw new Error(`invalid input syntax for type interval: "${text}"`);
  return Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
}
