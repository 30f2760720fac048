import { VendorTransientError } from '../../../core/errors';
import { InvalidLicenseIdError } from './errors';
import { isLiveInterserverLicense } from './license-view';
import type { InterserverGateway, InterserverInvoice, InterserverLicense } from './ports';

/** What {@link licenseOfInvoice} found; `unpaid` is the invoice list it read, for the caller to reuse. */
export interface InvoiceLicense {
  license?: InterserverLicense;
  unpaid?: InterserverInvoice[];
}

/**
 * The license a successful `api_buy_license*` created, found from the invoice it answered instead
 * of by listing every license on the account: the unpaid invoice's `invoices_service` is the
 * license id (interserver-soap.md §2 `sql_row_invoices`, §6 "invoices_service = license_id"), and
 * `api_licenses_get_service` reads that one license. The cost grows with the account's unpaid
 * invoices, not with its licenses.
 *
 * Finds nothing (the caller then lists) when the buy answered invoice 0 (PrePay paid it, §5 step 4),
 * when the invoice is no longer unpaid, when either read fails, or when the license is not a live
 * one for this IP and type: only a license that provably belongs to this buy is returned.
 */
export async function licenseOfInvoice(
  gateway: Pick<InterserverGateway, 'getUnpaidInvoices' | 'getLicense'>,
  invoice: number,
  want: { ip: string; type: number },
): Promise<InvoiceLicense> {
  if (!(invoice > 0)) return {};
  try {
    const unpaid = await gateway.getUnpaidInvoices();
    const serviceId = unpaid.find((i) => i.id === invoice)?.serviceId;
    if (serviceId === undefined || !(serviceId > 0)) return { unpaid };
    const license = await gateway.getLicense(serviceId);
    const matches = license.id === serviceId && license.ip === want.ip && license.type === want.type && isLiveInterserverLicense(license);
    return matches ? { license, unpaid } : { unpaid };
  } catch (err) {
    if (err instanceof VendorTransientError || err instanceof InvalidLicenseIdError) return {};
    throw err;
  }
}
