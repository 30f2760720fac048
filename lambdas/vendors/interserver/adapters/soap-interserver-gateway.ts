import type { Client } from 'soap';
import { ProcureError, VendorAuthError } from '../../../core/errors';
import { InvalidLicenseIdError, InvalidLicenseTypeError } from '../core/errors';
import { scrubSecrets } from '../../../shared/redact';
import type { InterserverBuyResult, InterserverGateway, InterserverInvoice, InterserverLicense, InterserverLicenseType } from '../core/ports';
import {
  buySuccessSchema,
  invoicesSchema,
  licenseSchemaOrEmpty,
  licensesSchema,
  licenseTypesSchema,
  parseReply,
  prepayAmountSchema,
  sidSchema,
  statusSchema,
  type StatusReply,
} from './response-schemas';
import { SessionKeeper } from './session-keeper';
import { orderArgs } from './ordered-args';
import { createInterserverSoapClient, invokeOperation } from './soap-client';
import { isInvalidSessionText, statusError } from './status-errors';
import { transportError } from './transport-errors';
import type { Unwrapped } from './unwrap';
import { interserverWsdlModel, wsdlOperation } from './wsdl-model';

/** Where the gateway reports re-logins. Structurally the shared logger (lambdas/shared/logger.ts). */
export interface GatewayLogger {
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
}

export interface SoapInterserverGatewayOptions {
  /** @default https://my.interserver.net/api.php?wsdl */
  wsdlUrl?: string;
  /** SOAP endpoint. @default the WSDL URL without its query string */
  endpoint?: string;
  /**
   * Use the WSDL bundled with procure instead of fetching `wsdlUrl` (no cold-start round trip).
   * @default false: fetch it, and refuse to run if its argument order differs from the bundled one
   */
  useBundledWsdl?: boolean;
  username: string;
  /** The account password or API key (§1). Never logged, never in an error message. */
  password: string;
  /** Per HTTP request. @default 20000 */
  timeoutMs?: number;
  /** How long api_get_license_types is cached. @default 600000 (10 minutes) */
  licenseTypesTtlMs?: number;
  logger?: GatewayLogger;
  /** Clock for the catalog cache. @default Date.now */
  now?: () => number;
}

export const DEFAULT_INTERSERVER_WSDL_URL = 'https://my.interserver.net/api.php?wsdl';
const MODULE = 'licenses';

/** How a call's answer can show that its session was not accepted. */
type SessionCheck = 'status' | 'status-or-empty';

/**
 * InterserverGateway over InterServer's NuSOAP API with node-soap (interserver-soap.md).
 *
 * Sessions: one cached sid, reused across calls. When an answer says "Invalid Session ID" the
 * gateway logs in again ONCE and repeats the call. That is safe even for a purchase: the server
 * checks the session before anything else (§5), so that answer means nothing happened. Transport
 * failures are never repeated here: a buy that timed out may have happened, and the workflow must
 * reconcile it instead (VendorTransientError).
 *
 * The list/get calls (`api_licenses_*`) are generic wrappers whose answer to a bad sid is
 * UNVERIFIED (§9); the recorded samples suggest an empty result, indistinguishable from "nothing
 * there". So an empty answer on a REUSED session is confirmed once with a new session before it is
 * believed; an empty answer on a fresh session is taken as is.
 */
export class SoapInterserverGateway implements InterserverGateway {
  private readonly settings: { wsdlUrl: string; endpoint: string; useBundledWsdl: boolean; timeoutMs: number };
  private readonly session: SessionKeeper;
  private client: Promise<Client> | undefined;
  private licenseTypes: { at: number; value: InterserverLicenseType[] } | undefined;

  constructor(private readonly options: SoapInterserverGatewayOptions) {
    const wsdlUrl = options.wsdlUrl ?? DEFAULT_INTERSERVER_WSDL_URL;
    this.settings = {
      wsdlUrl,
      endpoint: options.endpoint ?? wsdlUrl.replace(/\?.*$/, ''),
      useBundledWsdl: options.useBundledWsdl ?? false,
      timeoutMs: options.timeoutMs ?? 20_000,
    };
    this.session = new SessionKeeper(() => this.createSession());
  }

  async login(): Promise<string> {
    return (await this.session.acquire()).sid;
  }

  async getLicenseTypes(): Promise<InterserverLicenseType[]> {
    const now = (this.options.now ?? Date.now)();
    const ttl = this.options.licenseTypesTtlMs ?? 600_000;
    if (this.licenseTypes && now - this.licenseTypes.at < ttl) return this.licenseTypes.value;
    // No session: api_register(..., false, false) in the server (§2).
    const reply = await this.call('api_get_license_types', {});
    const value = parseReply('api_get_license_types', licenseTypesSchema, reply, false);
    this.licenseTypes = { at: now, value };
    return value;
  }

  async buyLicense(input: { ip: string; type: number; coupon?: string; usePrepay?: boolean }): Promise<InterserverBuyResult> {
    // The real server does not reject unknown types (§5 step 1): check the catalog first, so a typo
    // cannot place an order for a type with no price.
    const types = await this.getLicenseTypes();
    if (!Number.isInteger(input.type) || !types.some((t) => t.id === input.type)) {
      throw new InvalidLicenseTypeError(`InterServer license type ${input.type} is not in the vendor's catalog (api_get_license_types)`);
    }
    const operation = input.usePrepay === undefined ? 'api_buy_license' : 'api_buy_license_prepay';
    const values: Record<string, unknown> = { ip: input.ip, type: input.type, coupon: input.coupon ?? '' };
    if (input.usePrepay !== undefined) values.use_prepay = input.usePrepay;
    const reply = await this.callWithSession(operation, values, 'status');
    this.expectOk(operation, reply, true);
    const ok = parseReply(operation, buySuccessSchema, reply, true);
    return { invoice: ok.invoice, cost: ok.cost, paidWithPrepay: ok.invoice === 0, statusText: ok.status_text.trim() };
  }

  async listLicenses(): Promise<InterserverLicense[]> {
    const reply = await this.callWithSession('api_licenses_get_services', {}, 'status-or-empty');
    return parseReply('api_licenses_get_services', licensesSchema, reply, false);
  }

  async getLicense(id: number): Promise<InterserverLicense> {
    const reply = await this.callWithSession('api_licenses_get_service', { id }, 'status-or-empty');
    const license = parseReply('api_licenses_get_service', licenseSchemaOrEmpty, reply, false);
    if (license === '') throw new InvalidLicenseIdError(`InterServer api_licenses_get_service: no license ${id} on this account`);
    return license;
  }

  async getUnpaidInvoices(): Promise<InterserverInvoice[]> {
    const reply = await this.callWithSession('api_licenses_get_client_unpaid_invoices', {}, 'status-or-empty');
    return parseReply('api_licenses_get_client_unpaid_invoices', invoicesSchema, reply, false);
  }

  async makePayment(invoice: number): Promise<void> {
    const reply = await this.callWithSession('api_make_payment', { module: MODULE, invoice }, 'status');
    this.expectOk('api_make_payment', reply, true);
  }

  async cancelLicense(id: number): Promise<void> {
    const reply = await this.callWithSession('api_cancel_license', { id }, 'status');
    this.expectOk('api_cancel_license', reply, true);
  }

  async getPrepayRemaining(): Promise<number> {
    const reply = await this.callWithSession('api_get_prepay_remaining', { module: MODULE }, 'status');
    const { status_text } = this.expectOk('api_get_prepay_remaining', reply, false);
    // The amount comes back as a string in status_text, e.g. "0" (§4).
    return parseReply('api_get_prepay_remaining', prepayAmountSchema, status_text, false);
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private async createSession(): Promise<string> {
    const reply = await this.call('api_login', { username: this.options.username, password: this.options.password });
    const sid = parseReply('api_login', sidSchema, reply, false).trim();
    // A failed login is PHP false serialized as an empty string (§4), never a fault.
    if (sid === '') throw new VendorAuthError('InterServer api_login returned a blank session id: the username or password/API key was not accepted');
    return sid;
  }

  /** Calls `operation` with the session id, logging in again once when the session was not accepted. */
  private async callWithSession(operation: string, values: Record<string, unknown>, check: SessionCheck): Promise<Unwrapped> {
    const first = await this.session.acquire();
    const reply = await this.call(operation, { sid: first.sid, ...values });
    const reason = this.sessionRejection(reply, check, first.fresh);
    if (!reason) return reply;
    this.options.logger?.warn('InterServer session not accepted; logging in again once', { operation, reason });
    this.session.invalidate(first.sid);
    const second = await this.session.acquire();
    return this.call(operation, { sid: second.sid, ...values });
  }

  private sessionRejection(reply: Unwrapped, check: SessionCheck, fresh: boolean): string | undefined {
    const status = statusSchema.safeParse(reply);
    if (status.success && status.data.status !== 'ok' && isInvalidSessionText(status.data.status_text)) return 'Invalid Session ID';
    const empty = reply === '' || reply === null || (Array.isArray(reply) && reply.length === 0);
    if (check === 'status-or-empty' && empty && !fresh) return 'empty answer on a reused session';
    return undefined;
  }

  /** Throws the typed error for a `status: "error"` answer; returns the status fields otherwise. */
  private expectOk(operation: string, reply: Unwrapped, changesState: boolean): StatusReply {
    const parsed = parseReply(operation, statusSchema, reply, changesState);
    if (parsed.status.trim().toLowerCase() !== 'ok') throw statusError(operation, scrubSecrets(parsed.status_text, this.secrets()));
    return parsed;
  }

  private async call(operation: string, values: Record<string, unknown>): Promise<Unwrapped> {
    // Outside the try: a wrong argument name is a bug to surface, not a transient vendor failure.
    const op = wsdlOperation(interserverWsdlModel(), operation);
    const args = orderArgs(op, values);
    try {
      const client = await this.getClient();
      return await invokeOperation(client, op, args, this.settings.timeoutMs);
    } catch (err) {
      if (err instanceof ProcureError) throw err;
      throw transportError(operation, err, this.secrets());
    }
  }

  private getClient(): Promise<Client> {
    this.client ??= createInterserverSoapClient(this.settings).catch((err: unknown) => {
      this.client = undefined; // a failed WSDL fetch is retried by the next call
      throw err;
    });
    return this.client;
  }

  private secrets(): string[] {
    return [this.options.password];
  }
}
