import { AUDIT } from './audit-kinds';
import { QuoteMismatchError } from './errors';
import type { AuditEntry } from './ports';

/**
 * A quote mismatch travels as data: the money step that finds the vendor's total differs from the
 * approved quote writes a QUOTE_MISMATCH audit entry with both amounts, then throws
 * QuoteMismatchError, whose Catch sends the workflow back to ValidateAndQuote. ValidateAndQuote
 * reads the amounts from that entry ({@link recordedMismatch}), never out of the error's text.
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

/** The latest mismatch recorded in `trail` with both amounts, or undefined when there is none. */
export function recordedMismatch(trail: readonly AuditEntry[]): QuoteMismatch | undefined {
  for (let i = trail.length - 1; i >= 0; i -= 1) {
    const e = trail[i]!;
    if (e.type !== AUDIT.quoteMismatch) continue;
    const vendorTotalUsd = e.detail?.vendorTotalUsd;
    const approvedUsd = e.detail?.approvedUsd;
    if (typeof vendorTotalUsd === 'number' && Number.isFinite(vendorTotalUsd) && typeof approvedUsd === 'number' && Number.isFinite(approvedUsd)) {
      return { vendorTotalUsd, approvedUsd, seq: e.seq };
    }
  }
  return undefined;
}
