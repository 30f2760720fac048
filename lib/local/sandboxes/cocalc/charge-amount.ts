import { toCents } from './state';

/**
 * `getChargeAmount` (`util/purchases/charge-amount.ts`, cocalc-api-v2.md §4.7), in whole cents so
 * no float drift decides whether a purchase goes through.
 */
export interface ChargeAmount {
  amountDue: number;
  chargeAmount: number;
  cureAmount: number;
  minimumPaymentCharge: number;
}

/** §4.7: the purchase goes ahead iff `amountDue <= ALLOWED_SLACK`. */
export const ALLOWED_SLACK = 3;

/** What the buyer would still have to pay for a cart total, given the balance rules (§4.7). */
export function getChargeAmount(input: { total: number; balance: number; minBalance: number; minPayment: number }): ChargeAmount {
  const balance = toCents(input.balance);
  const minBalance = toCents(input.minBalance);
  const minPayment = toCents(input.minPayment);
  const cure = Math.max(minBalance - balance, 0);
  let due = toCents(input.total) + cure;
  const available = balance - minBalance + cure;
  if (available > 0) due -= Math.min(available, due);
  const minimumPaymentCharge = due > 0 ? Math.max(due, minPayment) - due : 0;
  const amountDue = Math.max(0, due);
  const chargeAmount = amountDue === 0 ? 0 : Math.max(amountDue, minPayment);
  return { amountDue: amountDue / 100, chargeAmount: chargeAmount / 100, cureAmount: cure / 100, minimumPaymentCharge: minimumPaymentCharge / 100 };
}

/** The vendor's `currency()`: "$1,234.56"; below a cent it shows three decimals. */
export function currency(n: number): string {
  if (n === 0) return '$0.00';
  const abs = Math.abs(n);
  const digits = abs.toFixed(abs < 0.0095 ? 3 : 2).replace(/(\d)(?=(\d{3})+\.)/g, '$1,');
  return `${n < 0 ? '-' : ''}$${digits}`;
}

/** §4.7, verbatim. */
export function insufficientCreditMessage(chargeAmount: number): string {
  return (
    `Insufficient credit on your account to complete the purchase (you need ${currency(chargeAmount)}). ` +
    'Please refresh your browser and try again or contact support.'
  );
}
