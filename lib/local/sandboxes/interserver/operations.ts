import type { WsdlOperation } from './wsdl';
import { buyLicense } from './buy-license';
import { isValidIp, LICENSE_TYPES } from './catalog';
import type { SoapArgument } from './soap-request';
import { cents, type InterserverSandboxState, type LicenseRow } from './state';

/**
 * The emulated operations (interserver-soap.md §2, §4, §5). Each returns a plain value that the
 * envelope writer serializes by the operation's WSDL output type. Arguments arrive positionally,
 * already converted by their WSDL part type, as PHP would receive them.
 */
export type ArgValue = string | number | boolean | null;

/** One call's inputs: the sandbox state and the positional, converted arguments. */
export interface OperationContext {
  state: InterserverSandboxState;
  args: readonly ArgValue[];
}

interface Operation {
  run(ctx: OperationContext, custid: number): unknown;
  /** True for everything but api_login and api_get_license_types. */
  needsSession: boolean;
  /**
   * The answer to a bad or expired sid. Status structs say "Invalid Session ID" (§5). For the
   * generic api_licenses_* wrappers it is UNVERIFIED (§9); the sandbox follows the recorded samples:
   * an empty array / empty struct / false, indistinguishable from "nothing there".
   */
  invalidSession?: unknown;
}

const INVALID_SESSION = { status: 'error', status_text: 'Invalid Session ID' };
/** UNVERIFIED (§6, §9): the real success text of api_make_payment is not public. */
export const PAYMENT_OK = 'Invoice Paid.';
/** UNVERIFIED (§4): the real success text of license_change_ip is not public. */
export const IP_CHANGED = 'License IP Changed.';
export const LICENSE_CANCELED = 'License Canceled.\n';
const MODULES = ['domains', 'vps', 'backups', 'mail', 'licenses', 'ssl', 'floating_ips', 'webhosting', 'quickservers', 'servers'];

const str = (ctx: OperationContext, i: number): string => {
  const v = ctx.args[i];
  return v === null || v === undefined ? '' : String(v);
};
const int = (ctx: OperationContext, i: number): number => {
  const v = ctx.args[i];
  return typeof v === 'number' ? v : 0;
};

function ok(status_text: string) {
  return { status: 'ok', status_text };
}
function error(status_text: string) {
  return { status: 'error', status_text };
}
const live = (l: LicenseRow) => l.license_status !== 'canceled' && l.license_status !== 'expired';

function ownedLicense(ctx: OperationContext, custid: number, id: number): LicenseRow | undefined {
  return ctx.state.licenses.find((l) => l.license_id === id && l.license_custid === custid);
}

function cancel(license: LicenseRow): void {
  license.license_status = 'canceled';
}

/** api_change_license_ip(_by_id) after the lock/IP checks: exactly one license, then the change (§5). */
function changeIp(rows: LicenseRow[], newip: string) {
  if (rows.length === 0) return error('This License either does not exist or it is not owned by you.');
  if (rows.length > 1) return error('Multiple Licenses On This IP.  Use the website or contact support@interserver.net.');
  if (!isValidIp(newip)) return error('Invalid IP Address\n');
  (rows[0] as LicenseRow).license_ip = newip;
  return ok(IP_CHANGED);
}

/** Every WSDL operation the sandbox answers, by name (the fault-injection operation names too). */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['api_login', { needsSession: false, run: (ctx) => ctx.state.login(str(ctx, 0), str(ctx, 1)) }],
  ['api_get_license_types', { needsSession: false, run: () => [...LICENSE_TYPES.values()] }],
  [
    'api_buy_license',
    {
      needsSession: true,
      invalidSession: { ...INVALID_SESSION, invoice: '', cost: '' },
      run: (ctx, custid) => buyLicense(ctx.state, custid, { ip: str(ctx, 1), type: int(ctx, 2), coupon: str(ctx, 3), usePrepay: null }),
    },
  ],
  [
    'api_buy_license_prepay',
    {
      needsSession: true,
      invalidSession: { ...INVALID_SESSION, invoice: '', cost: '' },
      run: (ctx, custid) => {
        const usePrepay = ctx.args[4];
        return buyLicense(ctx.state, custid, {
          ip: str(ctx, 1),
          type: int(ctx, 2),
          coupon: str(ctx, 3),
          usePrepay: typeof usePrepay === 'boolean' ? usePrepay : null,
        });
      },
    },
  ],
  [
    'api_cancel_license',
    {
      needsSession: true,
      invalidSession: INVALID_SESSION,
      run: (ctx, custid) => {
        const license = ownedLicense(ctx, custid, int(ctx, 1));
        if (!license) return error('Invalid License ID');
        cancel(license);
        return ok(LICENSE_CANCELED); // the trailing "\n" is not trimmed (§4)
      },
    },
  ],
  [
    'api_cancel_license_ip',
    {
      needsSession: true,
      invalidSession: INVALID_SESSION,
      run: (ctx, custid) => {
        const ip = str(ctx, 1);
        const type = int(ctx, 2);
        if (!isValidIp(ip)) return error('Invalid IP Address\n');
        const rows = ctx.state.licensesOf(custid).filter((l) => l.license_ip === ip && live(l));
        if (rows.length === 0) return error('Invalid License IP/Type');
        const target = rows.length === 1 ? rows[0] : rows.find((l) => l.license_type === type);
        if (!target) {
          const list = rows
            .map((l) => `License ID ${l.license_id} Type ${l.license_type} (${LICENSE_TYPES.get(l.license_type)?.services_name ?? ''})  `)
            .join('');
          return error(`Multiple Matches, Specify Type.  ${list}`);
        }
        cancel(target);
        return ok(LICENSE_CANCELED);
      },
    },
  ],
  [
    'api_change_license_ip',
    {
      needsSession: true,
      invalidSession: INVALID_SESSION,
      run: (ctx, custid) => {
        const oldip = str(ctx, 1);
        if (ctx.state.account.locked) return error('Locked Account.\n');
        if (!isValidIp(oldip)) return error('Invalid IP Address\n');
        return changeIp(
          ctx.state.licensesOf(custid).filter((l) => l.license_ip === oldip && live(l)),
          str(ctx, 2),
        );
      },
    },
  ],
  [
    'api_change_license_ip_by_id',
    {
      needsSession: true,
      invalidSession: INVALID_SESSION,
      run: (ctx, custid) => {
        if (ctx.state.account.locked) return error('Locked Account.\n');
        const license = ownedLicense(ctx, custid, int(ctx, 1));
        return changeIp(license && live(license) ? [license] : [], str(ctx, 2));
      },
    },
  ],
  ['api_licenses_get_service', { needsSession: true, invalidSession: null, run: (ctx, custid) => ownedLicense(ctx, custid, int(ctx, 1)) ?? null }],
  ['api_licenses_get_services', { needsSession: true, invalidSession: [], run: (ctx, custid) => ctx.state.licensesOf(custid) }],
  [
    'api_licenses_cancel_service',
    {
      needsSession: true,
      invalidSession: false,
      run: (ctx, custid) => {
        const license = ownedLicense(ctx, custid, int(ctx, 1));
        if (!license) return false;
        cancel(license);
        return true;
      },
    },
  ],
  ['api_licenses_get_client_invoices', { needsSession: true, invalidSession: [], run: (ctx, custid) => ctx.state.invoicesOf(custid) }],
  [
    'api_licenses_get_client_unpaid_invoices',
    {
      needsSession: true,
      invalidSession: [],
      run: (ctx, custid) => ctx.state.invoicesOf(custid).filter((i) => i.invoices_paid === 0),
    },
  ],
  [
    'api_make_payment',
    {
      needsSession: true,
      invalidSession: INVALID_SESSION,
      run: (ctx, custid) => {
        const module = str(ctx, 1);
        const invoice = ctx.state.invoicesOf(custid).find((i) => i.invoices_id === int(ctx, 2));
        // The card on file always succeeds in the sandbox; an already paid invoice is refused (UNVERIFIED).
        if (module !== 'licenses' || !invoice || invoice.invoices_paid === 1) {
          return error('Invalid Invoice Number Passed or missing Module information.');
        }
        invoice.invoices_paid = 1;
        const license = ownedLicense(ctx, custid, invoice.invoices_service);
        // Plugin.php setEnable after payment (§6).
        if (license && license.license_status === 'pending') license.license_status = 'active';
        return ok(PAYMENT_OK);
      },
    },
  ],
  [
    'api_get_prepay_remaining',
    {
      needsSession: true,
      invalidSession: INVALID_SESSION,
      run: (ctx) => {
        const module = str(ctx, 1);
        // UNVERIFIED: the text for an unknown module is the sandbox's own.
        if (!MODULES.includes(module)) return error('Invalid Module');
        // Amount as a string in status_text (§4); only the licenses module holds PrePay here.
        return ok(String(module === 'licenses' ? cents(ctx.state.account.prepay) : 0));
      },
    },
  ],
]);

/** Converts positional text arguments by the WSDL part types, as PHP would receive them. */
export function convertArgs(op: WsdlOperation, args: readonly SoapArgument[]): ArgValue[] {
  return args.map((arg, i) => {
    const type = op.input[i]?.type.local ?? 'string';
    const v = arg.value;
    if (v === null) return null;
    if (type === 'int') return /^\s*[+-]?\d+/.test(v) ? parseInt(v, 10) : 0;
    if (type === 'float') return Number.isFinite(parseFloat(v)) ? parseFloat(v) : 0;
    if (type === 'boolean') {
      const t = v.trim().toLowerCase();
      return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : null;
    }
    return v;
  });
}

/** Runs `operation` with the session check of §5. */
export function runOperation(name: string, ctx: OperationContext): unknown {
  const op = OPERATIONS.get(name);
  if (!op) throw new Error(`operation ${name} is not emulated`);
  if (!op.needsSession) return op.run(ctx, 0);
  const custid = ctx.state.verifySession(str(ctx, 0));
  return custid === undefined ? op.invalidSession : op.run(ctx, custid);
}
