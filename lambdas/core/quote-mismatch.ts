import { AUDIT } from './audit-kinds';
import { QuoteMismatchError } from './errors';
import type { AuditEntry } from './ports';

/**
 * A quote mismatch travels as data: the money step that finds the vendor's total differs from the
 * approved quote writes a QUOTE_MISMATCH audit entry with both amounts, then throws
 * QuoteMismatchError, whose Catch sends the workflow back to PreparePurchase. Its quote step
 * (validate-and-quote.ts) reads the amounts from that entry ({@link recordedMismatch}), never out of the error's text.
 */

/** A recorded mismatch: the vendor's total, the approved amount, and the entry that says so. */
export interface QuoteMismatch {
  vendorTotalUsd: number;
  approvedUsd: number;
  /** The audit entry's sort key: tells this mismatch from a later one. */
  seq: string;
}

/** The QuoteMismatchError a money step throws after recording the mismatch; its text is for people. */
export function quoteMismatchError(vendorTotalUsd: number, approvedUsd: number, context = ''): QuoteMismatchError {
  return new QuoteMismatchError(
    `vendor total ${vendorTotalUsd.toFixed(2)} USD differs from the approved quote ${approvedUsd.toFixed(2)} USD` + (context ? `; ${context}` : ''),
  );
}

/**
 * The latest mismatch recorded in `trail`, or undefined when there is none or its amounts are not
 * both numbers. Never an older one: the latest is the one that sent the workflow here, and an older
 * one would read as the mismatch already re-quoted (a retry) and lift the ask-twice limit.
 */
export function recordedMismatch(trail: readonly AuditEntry[]): QuoteMismatch | undefined {
  const latest = [...trail].reverse().find((e) => e.type === AUDIT.quoteMismatch);
  const vendorTotalUsd = latest?.detail?.vendorTotalUsd;
  const approvedUsd = latest?.detail?.approvedUsd;
  if (latest === undefined || !isAmount(vendorTotalUsd) || !isAmount(approvedUsd)) return undefined;
  return { vendorTotalUsd, approvedUsd, seq: latest.seq };
}

function isAmount(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}
