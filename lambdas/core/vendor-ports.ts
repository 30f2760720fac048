import type { SiteLicenseDescription } from './cocalc-license';

// Vendor ports (part of core/ports.ts): what procure asks of CoCalc and InterServer. Adapters in
// lambdas/adapters/cocalc and lambdas/adapters/interserver implement them and return plain typed
// objects, never raw vendor payloads.

// ---- CoCalc (shared/vendors/cocalc-api-v2.md) ----------------------------------------------------
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

export type { CocalcCheckoutMode } from './cocalc-checkout-mode';

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

// ---- InterServer (shared/vendors/interserver-soap.md) -------------------------------------------
export interface InterserverLicenseType {
  id: number;
  name: string;
  /** USD per month. */
  cost: number;
}

export interface InterserverBuyResult {
  /** 0 when PrePay paid it and the license is active. */
  invoice: number;
  cost: number;
  paidWithPrepay: boolean;
  statusText: string;
}

export interface InterserverLicense {
  id: number;
  type: number;
  ip: string;
  status: string;
  orderDate: string;
  hostname: string;
  key: string;
  /** The repeat-invoice id (§2), not the invoice returned by buy. */
  repeatInvoice: number;
  coupon: number;
  currency: string;
}

export interface InterserverInvoice {
  id: number;
  description: string;
  amount: number;
  paid: boolean;
  module: string;
  /** The license id the invoice is for. */
  serviceId: number;
  date: string;
  dueDate: string;
  type: number;
  currency: string;
}

export interface InterserverGateway {
  login(): Promise<string>;
  getLicenseTypes(): Promise<InterserverLicenseType[]>;
  /** `usePrepay` undefined = plain api_buy_license; boolean = api_buy_license_prepay. */
  buyLicense(input: { ip: string; type: number; coupon?: string; usePrepay?: boolean }): Promise<InterserverBuyResult>;
  listLicenses(): Promise<InterserverLicense[]>;
  getLicense(id: number): Promise<InterserverLicense>;
  getUnpaidInvoices(): Promise<InterserverInvoice[]>;
  makePayment(invoice: number): Promise<void>;
  cancelLicense(id: number): Promise<void>;
  getPrepayRemaining(): Promise<number>;
}
