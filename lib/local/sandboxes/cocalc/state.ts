import { randomBytes, randomUUID } from 'node:crypto';

/**
 * In-memory vendor state (cocalc-api-v2.md §8): accounts keyed by API key, each with its cart,
 * balance, licenses, purchases and subscriptions. Cart item ids come from one counter shared by
 * all accounts, like the vendor's SERIAL column (§4.1).
 */

/** §4.1 `shopping_cart_items` row, served as is. */
export interface SandboxCartItem {
  id: number;
  account_id: string;
  added: string;
  checked: boolean | null;
  removed: string | null;
  purchased: null | { success?: true; time?: string; license_id?: string; voucher_id?: number };
  product: string;
  /** Stored verbatim: the vendor validates nothing on add (§4.3). */
  description: unknown;
  project_id: string | null;
}

/** §6 license row. `subscription_id` is kept internal (get-managed does not show it). */
export interface SandboxLicense {
  id: string;
  title: string | null;
  description: string | null;
  expires: number | null;
  activates: number | null;
  last_used: number | null;
  created: number;
  managers: string[];
  upgrades: null;
  quota: Record<string, unknown>;
  run_limit: number;
  info: { purchased: Record<string, unknown> };
  subscription_id: number | null;
}

/** A `purchases` row written at checkout (§4.7). */
export interface SandboxPurchase {
  id: number;
  time: string;
  service: 'license' | 'voucher';
  cost: number;
  tag: string;
  license_id?: string;
  period_start?: string;
  period_end?: string;
}

/** A `subscriptions` row for a monthly or yearly license (§4.7). */
export interface SandboxSubscription {
  id: number;
  interval: 'month' | 'year';
  cost: number;
  status: 'active';
  license_id: string;
  created: string;
}

/** One vendor account and everything it owns. */
export interface SandboxAccount {
  accountId: string;
  apiKey: string;
  email: string;
  firstName: string;
  lastName: string;
  created: string;
  /** USD. The sandbox keeps balances in whole cents. */
  balance: number;
  /** A negative value is a credit line (§4.7). */
  minBalance: number;
  /** Site setting `pay_as_you_go_min_payment`. */
  minPayment: number;
  /** Member of the `partner` group: the legacy checkout skips the captcha (§4.6). */
  partner: boolean;
  cart: SandboxCartItem[];
  licenses: SandboxLicense[];
  purchases: SandboxPurchase[];
  subscriptions: SandboxSubscription[];
}

/** A new account; random key, id and email unless given. */
export interface AddAccountOptions {
  apiKey?: string;
  accountId?: string;
  email?: string;
  /** @default 1000 */
  balance?: number;
  /** @default 0 */
  minBalance?: number;
  /** @default false */
  partner?: boolean;
}

/** All accounts of one sandbox and its id counters. */
export class SandboxState {
  private readonly byKey = new Map<string, SandboxAccount>();
  // Starts well above 1 so an item id is never confused with add's row count `1`.
  private nextCartItemId = 1000;
  private nextRowId = 1;
  /**
   * How much the vendor has changed its site-license price since §5 was written: added to every
   * site-license line the checkout prices (0: the formula as documented). Lets a test play the
   * vendor changing its prices between a quote and a checkout, which procure must re-ask for.
   */
  siteLicensePriceChangeUsd = 0;

  addAccount(opts: AddAccountOptions = {}): SandboxAccount {
    // New-style key shape (§1): "sk-" + 16 random chars + 6 chars.
    const apiKey = opts.apiKey ?? `sk-${randomBytes(16).toString('base64url').slice(0, 22)}`;
    if (this.byKey.has(apiKey)) throw new Error('an account with this API key already exists');
    const account: SandboxAccount = {
      accountId: opts.accountId ?? randomUUID(),
      apiKey,
      email: opts.email ?? `user-${randomBytes(3).toString('hex')}@example.com`,
      firstName: 'Sandbox',
      lastName: 'User',
      created: new Date().toISOString(),
      balance: toCents(opts.balance ?? 1000) / 100,
      minBalance: opts.minBalance ?? 0,
      minPayment: 2.5,
      partner: opts.partner ?? false,
      cart: [],
      licenses: [],
      purchases: [],
      subscriptions: [],
    };
    this.byKey.set(apiKey, account);
    return account;
  }

  byApiKey(apiKey: string | undefined): SandboxAccount | undefined {
    return apiKey === undefined ? undefined : this.byKey.get(apiKey);
  }

  /** Finds an account by its id or its API key. */
  find(accountIdOrKey: string): SandboxAccount | undefined {
    return this.byKey.get(accountIdOrKey) ?? [...this.byKey.values()].find((a) => a.accountId === accountIdOrKey);
  }

  accounts(): SandboxAccount[] {
    return [...this.byKey.values()];
  }

  takeCartItemId(): number {
    return this.nextCartItemId++;
  }

  /** Ids for purchases, subscriptions and vouchers. */
  takeRowId(): number {
    return this.nextRowId++;
  }
}

/** Whole cents of a USD amount (sandbox balances and totals are kept in cents to avoid drift). */
export function toCents(usd: number): number {
  return Math.round(usd * 100);
}
