import type { SiteLicenseDescription } from './license';

// The CoCalc port: what procure asks of CoCalc (shared/vendors/cocalc-api-v2.md is the
// vendor's behaviour). ../adapters implements it and returns plain typed objects, never raw vendor
// payloads. Re-exported by lambdas/core/ports.ts.
export interface CocalcCartItem {
  id: number;
  added: string;
  checked: boolean;
  removed: string | null;
  purchased: { success?: boolean; time?: string; licenseId?: string } | null;
  product: string;
  description: Record<string, unknown>;
  projectId: string | null;
}

export interface CocalcCheckoutParams {
  balance: number;
  minBalance: number;
  minPayment: number;
  amountDue: number;
  chargeAmount: number;
  /** Server-side sum of the checked items' line amounts, USD. */
  total: number;
  cart: Array<{ id: number; lineItemAmount: number }>;
}

export interface CocalcManagedLicense {
  id: string;
  title: string | null;
  description: string | null;
  /** Epoch milliseconds, as the vendor reports them (§6). */
  created: number | null;
  activates: number | null;
  expires: number | null;
  runLimit: number | null;
  quota: Record<string, unknown> | null;
}

export type { CocalcCheckoutMode } from './checkout-mode';

export interface CocalcGateway {
  verifyKey(): Promise<{ accountId: string; email: string }>;
  /** Adds a site license; returns the new cart item's id (the vendor itself returns only `1`). */
  addToCart(description: SiteLicenseDescription, projectId?: string): Promise<number>;
  getCart(): Promise<CocalcCartItem[]>;
  getPurchasedItems(): Promise<CocalcCartItem[]>;
  getCartItem(id: number): Promise<CocalcCartItem>;
  /** "Save for later" (vendor `remove`). */
  removeFromCart(id: number): Promise<boolean>;
  /** Hard delete of an unpurchased item (vendor `delete`). */
  deleteFromCart(id: number): Promise<boolean>;
  /** Sets `checked` on one item, or on every current cart item when `id` is absent. */
  setChecked(checked: boolean, id?: number): Promise<number>;
  checkoutParams(): Promise<CocalcCheckoutParams>;
  /** Buys every checked item, in the configured mode. */
  checkout(): Promise<void>;
  listManagedLicenses(opts?: { limit?: number; skip?: number }): Promise<CocalcManagedLicense[]>;
}
