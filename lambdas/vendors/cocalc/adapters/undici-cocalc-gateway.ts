import type * as z from '../../../core/zod';
import type { SiteLicenseDescription } from '../core/license';
import { describeIssues } from '../../../core/zod';
import { VendorAuthError, VendorRejectedError, VendorTransientError } from '../../../core/errors';
import type { CocalcCartItem, CocalcCheckoutMode, CocalcCheckoutParams, CocalcGateway, CocalcManagedLicense } from '../core/ports';
import { findNewCartItem } from '../core/cart-item-match';
import { basicAuthorization, postJson, type HttpReply, type HttpTimeouts } from './http-client';
import { redactKey, toVendorError } from './vendor-errors';
import {
  cartItemResponse,
  cartResponse,
  checkoutParamsResponse,
  managedLicensesResponse,
  rowCountResponse,
  successResponse,
  verifyKeyResponse,
} from './vendor-schemas';

/** The production API v2 base URL (cocalc-api-v2.md Summary). */
export const COCALC_DEFAULT_BASE_URL = 'https://cocalc.com/api/v2';

/** How to reach CoCalc; `apiKey` comes from Secrets Manager, never from the environment. */
export interface UndiciCocalcGatewayOptions {
  /** @default 'https://cocalc.com/api/v2' */
  readonly baseUrl?: string;
  /** Sent as HTTP Basic `key:` (cocalc-api-v2.md §1). Never appears in an error message. */
  readonly apiKey: string;
  /** `current`: purchases/shopping-cart-checkout (§4.7); `legacy`: shopping/cart/checkout (§4.6). */
  readonly checkoutMode: CocalcCheckoutMode;
  /**
   * Headers timeout and body (idle) timeout of each call. undici checks them on ~1 s ticks.
   * @default 15000
   */
  readonly timeoutMs?: number;
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Sent with the legacy checkout only; partner accounts need none (§4.6). */
  readonly reCaptchaToken?: string;
}

const CART_ADD = 'shopping/cart/add';

/**
 * CocalcGateway over CoCalc's HTTP API v2 with undici. Every call is a JSON POST (GET would drop
 * all parameters, §2); every answer is checked with zod; every failure is a typed error:
 * VendorAuthError, VendorRateLimitedError, InsufficientCreditError, CaptchaRequiredError,
 * VendorRejectedError (won't change on retry) or VendorTransientError (5xx, reset, refused,
 * timeout, non-JSON: the call may or may not have taken effect).
 */
export class UndiciCocalcGateway implements CocalcGateway {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly authorization: string;
  private readonly timeouts: HttpTimeouts;
  private readonly checkoutMode: CocalcCheckoutMode;
  private readonly reCaptchaToken: string | undefined;

  constructor(options: UndiciCocalcGatewayOptions) {
    if (!options.apiKey) throw new VendorAuthError('CoCalc API key is empty');
    this.baseUrl = (options.baseUrl ?? COCALC_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.authorization = basicAuthorization(options.apiKey);
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.timeouts = { connectMs: options.connectTimeoutMs ?? 5_000, headersMs: timeoutMs, bodyMs: timeoutMs };
    this.checkoutMode = options.checkoutMode;
    this.reCaptchaToken = options.reCaptchaToken;
  }

  /** A bad key is not rejected by most endpoints (get-managed even answers `[]`), so check it first (§1). */
  async verifyKey(): Promise<{ accountId: string; email: string }> {
    const query = { query: { accounts: { account_id: null, email_address: null } } };
    return this.call('user-query', query, verifyKeyResponse);
  }

  /**
   * Adds a checked site-license item and returns its id. The vendor answers only `1` (§4.3), so
   * this snapshots the cart, adds, and picks the new matching item (see findNewCartItem).
   * `shopping/cart/add` is throttled per account (3/s, 15/min, 200/h, §2): the caller reserves a
   * slot before calling (lambdas/core/rate-slots.ts, shared by every Lambda through DynamoDB), and
   * a throttled add, which did not take effect, surfaces as VendorRateLimitedError for the caller
   * to schedule again. Nothing here waits. Adds of identical items must be serialized by the caller.
   * On VendorTransientError the item may or may not have been added: look before adding again,
   * since checkout buys every checked item.
   */
  async addToCart(description: SiteLicenseDescription, projectId?: string): Promise<number> {
    const sent = JSON.parse(JSON.stringify(description)) as Record<string, unknown>;
    const body = { product: 'site-license', description: sent, ...(projectId !== undefined && { project_id: projectId }) };
    const before = new Set((await this.getCart()).map((i) => i.id));
    const rows = await this.call(CART_ADD, body, rowCountResponse, true);
    if (rows !== 1) throw new VendorRejectedError(`CoCalc ${CART_ADD}: expected 1 added row, got ${rows}`);
    const item = findNewCartItem(before, await this.getCart(), 'site-license', sent);
    if (!item) {
      throw new VendorRejectedError(`CoCalc ${CART_ADD}: the item was added, but no new matching item is in the cart`);
    }
    return item.id;
  }

  async getCart(): Promise<CocalcCartItem[]> {
    return this.call('shopping/cart/get', {}, cartResponse);
  }

  async getPurchasedItems(): Promise<CocalcCartItem[]> {
    return this.call('shopping/cart/get', { purchased: true }, cartResponse);
  }

  async getCartItem(id: number): Promise<CocalcCartItem> {
    return this.call('shopping/cart/get', { id }, cartItemResponse);
  }

  async removeFromCart(id: number): Promise<boolean> {
    return (await this.call('shopping/cart/remove', { id }, rowCountResponse)) > 0;
  }

  async deleteFromCart(id: number): Promise<boolean> {
    return (await this.call('shopping/cart/delete', { id }, rowCountResponse)) > 0;
  }

  async setChecked(checked: boolean, id?: number): Promise<number> {
    return this.call('shopping/cart/checked', { checked, ...(id !== undefined && { id }) }, rowCountResponse);
  }

  async checkoutParams(): Promise<CocalcCheckoutParams> {
    return this.call('purchases/get-shopping-cart-checkout-params', {}, checkoutParamsResponse);
  }

  async checkout(): Promise<void> {
    if (this.checkoutMode === 'current') {
      await this.call('purchases/shopping-cart-checkout', {}, successResponse, true);
    } else {
      const body = this.reCaptchaToken ? { reCaptchaToken: this.reCaptchaToken } : {};
      await this.call('shopping/cart/checkout', body, successResponse, true);
    }
  }

  /** §6. An unknown key gets `[]` here, not an error: call verifyKey first. */
  async listManagedLicenses(opts: { limit?: number; skip?: number } = {}): Promise<CocalcManagedLicense[]> {
    const body = { ...(opts.limit !== undefined && { limit: opts.limit }), ...(opts.skip !== undefined && { skip: opts.skip }) };
    return this.call('licenses/get-managed', body, managedLicensesResponse);
  }

  /**
   * One JSON POST and its classification. `mutates`: a malformed answer to a call that changes
   * state leaves its outcome unknown, so it is transient (reconcile), not a rejection.
   */
  private async call<S extends z.ZodMiniType>(endpoint: string, body: object, schema: S, mutates = false): Promise<z.output<S>> {
    let reply: HttpReply;
    try {
      reply = await postJson(`${this.baseUrl}/${endpoint}`, body, this.authorization, this.timeouts);
    } catch (err) {
      throw new VendorTransientError(this.message(endpoint, `request failed: ${describeTransportError(err)}`));
    }
    if (reply.status >= 500) throw new VendorTransientError(this.message(endpoint, `HTTP ${reply.status}`));
    if (reply.status !== 200) {
      throw new VendorRejectedError(this.message(endpoint, `HTTP ${reply.status}: ${snippet(reply.text)}`));
    }
    let json: unknown;
    try {
      json = JSON.parse(reply.text);
    } catch {
      throw new VendorTransientError(this.message(endpoint, `response is not JSON: ${snippet(reply.text)}`));
    }
    // §2: every handled vendor error is HTTP 200 {"error": "..."}.
    if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'error' in json) {
      const error = (json as { error: unknown }).error;
      throw toVendorError(endpoint, typeof error === 'string' ? error : JSON.stringify(error), this.apiKey);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error).slice(0, 3).join('; ');
      const text = this.message(endpoint, `unexpected response (${issues}): ${snippet(reply.text)}`);
      throw mutates ? new VendorTransientError(text) : new VendorRejectedError(text);
    }
    return parsed.data as z.output<S>;
  }

  private message(endpoint: string, detail: string): string {
    return `CoCalc ${endpoint}: ${redactKey(detail, this.apiKey)}`;
  }
}

function describeTransportError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${code} ${err.message}`.trim() : err.message || err.name;
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

/** Builds the CoCalc gateway (handlers call it once per cold start, with the key from Secrets Manager). */
export function createCocalcGateway(config: UndiciCocalcGatewayOptions): CocalcGateway {
  return new UndiciCocalcGateway(config);
}
