// The InterServer port: what procure asks of InterServer (shared/vendors/interserver-soap.md is the
// vendor's behaviour). ../adapters implements it and returns plain typed objects, never raw vendor
// payloads. Re-exported by lambdas/core/ports.ts.
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
