import { randomBytes } from 'node:crypto';
import { keepLatest } from '../../keep-latest';

/**
 * The sandbox's data. Licenses and invoices are kept as the vendor's SQL rows (`sql_row_licenses`,
 * `sql_row_invoices`, interserver-soap.md §2), so the responses serialize them field for field and
 * tests can inspect exactly what a client would list.
 */
export interface LicenseRow {
  license_id: number;
  license_type: number;
  license_currency: string;
  license_order_date: string;
  license_custid: number;
  license_ip: string;
  /** pending (bought, unpaid) | active | canceled | expired (§2). */
  license_status: string;
  license_hostname: string;
  license_key: string;
  /** The repeat-invoice id, not the invoice returned by buy (§2). */
  license_invoice: number;
  license_coupon: number;
  license_extra: string;
}

export interface InvoiceRow {
  invoices_id: number;
  invoices_description: string;
  invoices_amount: number;
  invoices_custid: number;
  /** 1 = charge. */
  invoices_type: number;
  invoices_date: string;
  invoices_group: number;
  /** The repeat invoice id, for a charge. */
  invoices_extra: number;
  invoices_paid: 0 | 1;
  invoices_module: string;
  invoices_due_date: string;
  /** The license id. */
  invoices_service: number;
  invoices_deleted: 0 | 1;
  invoices_currency: string;
}

/** The monthly repeat invoice a purchase creates (§5 step 3). */
export interface RepeatInvoiceRow {
  repeat_invoices_id: number;
  repeat_invoices_custid: number;
  repeat_invoices_service: number;
  repeat_invoices_amount: number;
  repeat_invoices_frequency: number;
  repeat_invoices_module: string;
  repeat_invoices_description: string;
}

export interface SandboxAccount {
  custid: number;
  username: string;
  password: string;
  /** Accepted by api_login in place of the password (§1). */
  apiKey: string;
  /** PrePay balance for the licenses module, USD. */
  prepay: number;
  locked: boolean;
}

/** Sandbox coupons (§5: type 1 = percent off, 2 = amount off, 3 = fixed price). */
export interface SandboxCoupon {
  id: number;
  code: string;
  type: 1 | 2 | 3;
  amount: number;
  /** License types the coupon applies to; all when absent. */
  licenseTypes?: readonly number[];
}

export const SANDBOX_COUPONS: readonly SandboxCoupon[] = [
  { id: 1001, code: 'SANDBOX10', type: 1, amount: 10 },
  { id: 1002, code: 'SANDBOX5OFF', type: 2, amount: 5 },
  { id: 1003, code: 'SOFTACULOUS1', type: 3, amount: 1, licenseTypes: [5006, 5007] },
];

/** One SOAP request as received, for tests (the api_login password is redacted). */
export interface RecordedRequest {
  operation: string;
  /** Argument element names in wire order (the server ignores them; §1). */
  argNames: string[];
  raw: string;
}

export class InterserverSandboxState {
  readonly account: SandboxAccount;
  readonly licenses: LicenseRow[] = [];
  readonly invoices: InvoiceRow[] = [];
  readonly repeatInvoices: RepeatInvoiceRow[] = [];
  /** The latest requests received (up to `keptRequests`), oldest first. */
  readonly requests: RecordedRequest[] = [];
  private readonly sessions = new Map<string, { custid: number; lastActivity: number }>();
  private nextLicenseId = 386523;
  private nextInvoiceId = 18704420;
  private nextRepeatInvoiceId = 2200001;

  constructor(
    account: Omit<SandboxAccount, 'custid'>,
    /** Idle time after which a session id stops working. */
    readonly sessionIdleMs: number,
    /** How many of the latest requests {@link requests} keeps. */
    private readonly keptRequests: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(Number.isInteger(keptRequests) || keptRequests === Number.POSITIVE_INFINITY) || keptRequests < 0)
      throw new RangeError(`keptRequests must be a whole number >= 0, not ${keptRequests}`);
    this.account = { custid: 771282, ...account };
  }

  /** Records a request received, forgetting the oldest beyond `keptRequests`. */
  recordRequest(request: RecordedRequest): void {
    this.requests.push(request);
    keepLatest(this.requests, this.keptRequests);
  }

  now(): Date {
    return new Date(this.clock());
  }

  /** api_login: a 32-hex sid, or '' when neither the password nor the API key matches (§1, §4). */
  login(username: string, password: string): string {
    const a = this.account;
    if (username !== a.username || password === '' || (password !== a.password && password !== a.apiKey)) return '';
    const sid = randomBytes(16).toString('hex');
    this.sessions.set(sid, { custid: a.custid, lastActivity: this.clock() });
    return sid;
  }

  /** session->verify() + update_dla() (§5): the customer id, or undefined for a bad or idle sid. */
  verifySession(sid: string): number | undefined {
    const s = this.sessions.get(sid);
    if (!s) return undefined;
    const t = this.clock();
    if (t - s.lastActivity > this.sessionIdleMs) {
      this.sessions.delete(sid);
      return undefined;
    }
    s.lastActivity = t;
    return s.custid;
  }

  /** Ends every session now, as an idle expiry would. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /** Number of api_login calls received (tests count re-logins with it). */
  loginCount(): number {
    return this.requests.filter((r) => r.operation === 'api_login').length;
  }

  /** Adds a license row directly (e.g. one owned by another customer, or an expired one). */
  addLicense(row: Partial<LicenseRow> & Pick<LicenseRow, 'license_type' | 'license_ip'>): LicenseRow {
    const full: LicenseRow = {
      license_id: this.nextLicenseId++,
      license_currency: 'USD',
      license_order_date: sqlDate(this.now()),
      license_custid: this.account.custid,
      license_status: 'active',
      license_hostname: '',
      license_key: '',
      license_invoice: 0,
      license_coupon: 0,
      license_extra: '',
      ...row,
    };
    this.licenses.push(full);
    return full;
  }

  removeLicense(row: LicenseRow): void {
    const i = this.licenses.indexOf(row);
    if (i >= 0) this.licenses.splice(i, 1);
  }

  addRepeatInvoice(row: Omit<RepeatInvoiceRow, 'repeat_invoices_id'>): RepeatInvoiceRow {
    const full = { repeat_invoices_id: this.nextRepeatInvoiceId++, ...row };
    this.repeatInvoices.push(full);
    return full;
  }

  addInvoice(row: Omit<InvoiceRow, 'invoices_id'>): InvoiceRow {
    const full = { invoices_id: this.nextInvoiceId++, ...row };
    this.invoices.push(full);
    return full;
  }

  /** The license row id a new purchase will get (the repeat invoice refers to it first). */
  peekNextLicenseId(): number {
    return this.nextLicenseId;
  }

  licensesOf(custid: number): LicenseRow[] {
    return this.licenses.filter((l) => l.license_custid === custid);
  }

  invoicesOf(custid: number): InvoiceRow[] {
    return this.invoices.filter((i) => i.invoices_custid === custid && i.invoices_deleted === 0);
  }
}

/** "YYYY-MM-DD HH:MM:SS" (UTC), the vendor's date format (§2). */
export function sqlDate(d: Date): string {
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/** Rounds to cents, so sandbox arithmetic prints like PHP money values ("34.95", "5"). */
export function cents(n: number): number {
  return Math.round(n * 100) / 100;
}
