import { QuoteMismatchError } from './errors';

/**
 * The one wording of a quote mismatch: Checkout writes it, ValidateAndQuote reads the vendor's
 * total back out of `$.mismatch` (the only channel Step Functions gives from a Catch), so both
 * sides must agree on it. Amounts are written with two decimals, in USD.
 */
const PATTERN = /vendor total (-?\d+\.\d{2}) USD differs from the approved quote (-?\d+\.\d{2}) USD/;

/** A QuoteMismatchError carrying both amounts in a parseable message. */
export function quoteMismatchError(vendorTotalUsd: number, approvedUsd: number, context = ''): QuoteMismatchError {
  return new QuoteMismatchError(
    `vendor total ${vendorTotalUsd.toFixed(2)} USD differs from the approved quote ${approvedUsd.toFixed(2)} USD` + (context ? `; ${context}` : ''),
  );
}

/** The amounts from a mismatch message, or undefined when the message is not one of ours. */
export function parseQuoteMismatch(message: string): { vendorTotalUsd: number; approvedUsd: number } | undefined {
  const m = PATTERN.exec(message);
  if (!m) return undefined;
  return { vendorTotalUsd: Number(m[1]), approvedUsd: Number(m[2]) };
}
