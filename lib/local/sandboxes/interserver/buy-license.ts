import { CPANEL_TYPES, EXTERNAL_TO_INTERNAL_CPANEL, INTERNAL_NETWORK, isInNetwork, isValidIp, LICENSE_TYPES, type LicenseTypeRow } from './catalog';
import { cents, sqlDate, type InterserverSandboxState, type InvoiceRow, type LicenseRow, SANDBOX_COUPONS, type SandboxCoupon } from './state';

/** The `buy_license_return` struct (§2). */
export interface BuyReturn {
  status: 'ok' | 'error';
  status_text: string;
  /** '' on error (an empty xsd:int on the wire). */
  invoice: number | '';
  cost: number | '';
}

export interface BuyInput {
  ip: string;
  type: number;
  coupon: string;
  /** null for plain api_buy_license: PrePay is used when it covers the cost. */
  usePrepay: boolean | null;
}

export const ALREADY_LICENSED = 'That IP is already licensed in our system';
/** UNVERIFIED: the real server has no unknown-type check (§5 step 1); this text is the sandbox's own. */
export const INVALID_LICENSE_TYPE = 'Invalid License Type';
export const ORDER_COMPLETED = 'Order Completed Successfully.';
export const PAID_WITH_PREPAY = 'Order Completed and Invoice Paid With PrePay and License Activated';

/**
 * api_buy_license / api_buy_license_prepay, after the session check (interserver-soap.md §5, §6).
 * Validation messages accumulate, each ending in "\n", and the final status_text is trimmed; `cost`
 * is the coupon-adjusted cost even on error. Unlike the real source, the PrePay block does not run
 * when validation failed (§5 step 4 says emulators should not copy that quirk).
 */
export function buyLicense(state: InterserverSandboxState, custid: number, input: BuyInput): BuyReturn {
  const { ip, type, coupon, usePrepay } = input;
  const typeRow = LICENSE_TYPES.get(type);
  if (!typeRow) return { status: 'error', status_text: INVALID_LICENSE_TYPE, invoice: '', cost: '' };
  const account = state.account;

  const couponRow = coupon === '' ? undefined : findCoupon(coupon, type);
  const cost = couponRow ? applyCoupon(couponRow, typeRow.services_cost) : typeRow.services_cost;

  const messages: string[] = [];
  if (!isValidIp(ip)) messages.push('Invalid IP Address');
  if (account.locked) messages.push('Locked Account.');
  const internalType = EXTERNAL_TO_INTERNAL_CPANEL.get(type);
  if (internalType !== undefined && isInNetwork(ip, INTERNAL_NETWORK.owner)) {
    const internalName = LICENSE_TYPES.get(internalType)?.services_name ?? String(internalType);
    messages.push(
      `Your IP appears to be within the ${INTERNAL_NETWORK.owner} Network. Because of this your license should be changed to a ${internalName} License.  Please submit the updated order form to place the order.`,
    );
  }
  if (typeRow.ipBlock && !isInNetwork(ip, typeRow.ipBlock)) messages.push(`This IP does not appear to be a ${typeRow.ipBlock} IP`);
  if (coupon !== '' && !couponRow) messages.push(`Invalid licenses Coupon '${coupon}' Specified for type '${type}'`);
  // `<=`: funds exactly equal to the cost are "not enough" (§5).
  if (usePrepay === true && account.prepay <= cost) {
    messages.push(`You do not have enough Pre-Pay This (Available for a new license: $${cents(account.prepay)} vs License Cost ${cost})`);
  }
  const { duplicateMessages, reorderable } = duplicateCheck(state, custid, ip, type);
  messages.push(...duplicateMessages);
  if (messages.length > 0) return { status: 'error', status_text: finish(messages), invoice: '', cost };

  // A canceled/expired cPanel license of the same customer on this IP is deleted and re-ordered (§5).
  for (const row of reorderable) state.removeLicense(row);
  const { license, invoice } = recordOrder(state, custid, input, typeRow, couponRow, cost);

  const done = [ORDER_COMPLETED];
  // Plain buy (null) and use_prepay=true auto-pay when PrePay covers the cost; false never does (§5 step 4).
  if (usePrepay !== false && account.prepay >= cost) {
    account.prepay = cents(account.prepay - cost);
    invoice.invoices_paid = 1;
    license.license_status = 'active';
    done.push(PAID_WITH_PREPAY);
    return { status: 'ok', status_text: finish(done), invoice: 0, cost };
  }
  return { status: 'ok', status_text: finish(done), invoice: invoice.invoices_id, cost };
}

/**
 * The order's rows, as the real server writes them (§5): the repeat invoice, the pending license
 * and its first invoice, unpaid; paying it is the caller's decision.
 */
function recordOrder(
  state: InterserverSandboxState,
  custid: number,
  { ip, type }: Pick<BuyInput, 'ip' | 'type'>,
  typeRow: LicenseTypeRow,
  couponRow: SandboxCoupon | undefined,
  cost: number,
): { license: LicenseRow; invoice: InvoiceRow } {
  const now = state.now();
  const licenseId = state.peekNextLicenseId();
  const description = `${typeRow.services_name} License ${ip}`;
  const repeat = state.addRepeatInvoice({
    repeat_invoices_custid: custid,
    repeat_invoices_service: licenseId,
    repeat_invoices_amount: cost,
    repeat_invoices_frequency: 1,
    repeat_invoices_module: 'licenses',
    repeat_invoices_description: description,
  });
  const license = state.addLicense({
    license_type: type,
    license_ip: ip,
    license_custid: custid,
    license_status: 'pending',
    license_invoice: repeat.repeat_invoices_id,
    license_coupon: couponRow?.id ?? 0,
    license_order_date: sqlDate(now),
  });
  const invoice = state.addInvoice({
    invoices_description: description,
    invoices_amount: cost,
    invoices_custid: custid,
    invoices_type: 1,
    invoices_date: sqlDate(now),
    invoices_group: 0,
    invoices_extra: repeat.repeat_invoices_id,
    invoices_paid: 0,
    invoices_module: 'licenses',
    invoices_due_date: sqlDate(now),
    invoices_service: license.license_id,
    invoices_deleted: 0,
    invoices_currency: 'USD',
  });
  return { license, invoice };
}

/** Each message ends in "\n"; the result is trim()med (§5 step 2). */
function finish(messages: string[]): string {
  return messages
    .map((m) => `${m}\n`)
    .join('')
    .trim();
}

function findCoupon(code: string, type: number): SandboxCoupon | undefined {
  const c = SANDBOX_COUPONS.find((x) => x.code.toLowerCase() === code.toLowerCase());
  return c && (!c.licenseTypes || c.licenseTypes.includes(type)) ? c : undefined;
}

function applyCoupon(c: SandboxCoupon, cost: number): number {
  if (c.type === 1) return cents(cost - (cost * c.amount) / 100);
  if (c.type === 2) return cents(Math.max(0, cost - c.amount));
  return c.amount;
}

/**
 * §5 duplicate rules. cPanel types: any cPanel-category license on the IP counts, except the
 * customer's own canceled/expired ones, which are re-ordered. All types: the same IP and type with
 * a status other than canceled/expired. A cPanel order can hit both, hence the doubled message
 * of the recorded sample.
 */
function duplicateCheck(state: InterserverSandboxState, custid: number, ip: string, type: number): { duplicateMessages: string[]; reorderable: LicenseRow[] } {
  const live = (l: LicenseRow) => l.license_status !== 'canceled' && l.license_status !== 'expired';
  const duplicateMessages: string[] = [];
  let reorderable: LicenseRow[] = [];
  if (CPANEL_TYPES.has(type)) {
    const onIp = state.licenses.filter((l) => l.license_ip === ip && CPANEL_TYPES.has(l.license_type));
    reorderable = onIp.filter((l) => !live(l) && l.license_custid === custid);
    if (onIp.length > reorderable.length) duplicateMessages.push(ALREADY_LICENSED);
  }
  if (state.licenses.some((l) => l.license_ip === ip && l.license_type === type && live(l))) duplicateMessages.push(ALREADY_LICENSED);
  return { duplicateMessages, reorderable };
}
