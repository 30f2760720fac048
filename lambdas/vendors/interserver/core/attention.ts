import { recordedLicenseCheck, type AttentionFacts } from '../../../core/attention-facts';

/** What to check in an InterServer account for a NEEDS_ATTENTION purchase, one sentence each: the license for the IP and type, the invoice or PrePay charge. */
export function interserverAttentionChecks(f: AttentionFacts, item: { ip: string; licenseType: string | number }): string[] {
  const what = ` for IP ${item.ip} (license type ${item.licenseType})`;
  return [
    ...recordedLicenseCheck(f),
    `The account's licenses (npx procure licenses --vendor interserver): is there one${what} ordered ${f.since}?`,
    f.invoice !== undefined && f.invoice !== 0
      ? `Invoice ${f.invoice}: does it exist, and is it paid?`
      : `The account's invoices and PrePay balance: was there an invoice or a PrePay charge${f.cost}${what} ${f.since}?`,
  ];
}
