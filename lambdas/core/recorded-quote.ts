import { AUDIT, lastIndexOfKind } from './audit-kinds';
import type { AuditEntry } from './ports';
import type { WorkflowState } from './workflow';

/**
 * The state with the purchase's latest quote as its trail recorded it (the last QUOTED entry).
 * PreparePurchase quotes, reserves and adds to the cart in one state, and a Catch hands on the
 * state as the state entered it: a failure after the quote (a budget refusal, an add that failed)
 * reaches RecordNotCompleted without that quote, or, on a re-quote, with the earlier one. The
 * event and the requester's notice still name the amount and the item that were quoted.
 */
export function withRecordedQuote(state: WorkflowState, trail: readonly AuditEntry[]): WorkflowState {
  const d = trail[lastIndexOfKind(trail, AUDIT.quoted)]?.detail;
  if (!d || typeof d.amountUsd !== 'number' || typeof d.summary !== 'string') return state;
  // The same amount: the state's own quote stands (its summary is the unredacted one).
  if (state.quote?.amountUsd === d.amountUsd) return state;
  return {
    ...state,
    quote: {
      ...state.quote,
      vendor: state.request.vendor,
      amountUsd: d.amountUsd,
      summary: d.summary,
      autoApprove: d.autoApprove === true,
    },
  };
}
