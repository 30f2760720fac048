import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../lambdas/core/ports';
import { parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import { withRecordedQuote } from '../../lambdas/core/recorded-quote';
import type { WorkflowState } from '../../lambdas/core/workflow';
import { cocalcRequest } from '../support/requests';

const state: WorkflowState = { purchaseId: 'pur-1', request: parsePurchaseRequest(cocalcRequest()), source: 'api', receivedAt: '2026-12-01T00:00:00Z' };
const entry = (type: string, detail?: Record<string, unknown>, seq = type): AuditEntry =>
  ({ purchaseId: 'pur-1', seq, at: '2026-12-01T00:00:00Z', type, status: 'QUOTED', ...(detail ? { detail } : {}) }) as AuditEntry;
const quoted = (amountUsd: number, summary: string) => entry('QUOTED', { amountUsd, summary, autoApprove: false, vendor: 'cocalc' }, `q-${amountUsd}`);

describe('withRecordedQuote (what RecordNotCompleted names when PreparePurchase failed after quoting)', () => {
  it('gives a state without a quote the one the trail recorded', () => {
    const out = withRecordedQuote(state, [entry('REQUEST_RECEIVED'), quoted(18, 'CoCalc site license'), entry('BUDGET_REFUSED')]);
    expect(out.quote).toEqual({ vendor: 'cocalc', amountUsd: 18, summary: 'CoCalc site license', autoApprove: false });
    expect(out.request).toBe(state.request);
  });

  it("takes the trail's latest quote over the state's earlier one (a re-quote that failed)", () => {
    const earlier = { vendor: 'cocalc' as const, amountUsd: 18, summary: 'old', autoApprove: false, approvalTier: 1 };
    const out = withRecordedQuote({ ...state, quote: earlier }, [quoted(18, 'old'), entry('QUOTE_MISMATCH'), quoted(19.5, 'new')]);
    expect(out.quote).toMatchObject({ amountUsd: 19.5, summary: 'new', approvalTier: 1 });
  });

  it('leaves the state as it is when it already has the recorded quote, or nothing was quoted', () => {
    const same = { ...state, quote: { vendor: 'cocalc' as const, amountUsd: 18, summary: 'x', autoApprove: true } };
    expect(withRecordedQuote(same, [quoted(18, 'x')])).toBe(same);
    // The amount decides: the trail's summary went through the audit redaction, the state's did not.
    expect(withRecordedQuote(same, [quoted(18, 'x (redacted)')])).toBe(same);
    expect(withRecordedQuote(state, [entry('REQUEST_RECEIVED')])).toBe(state);
    // A QUOTED entry without its amount (never written so) changes nothing.
    expect(withRecordedQuote(state, [entry('QUOTED', { summary: 'x' })])).toBe(state);
  });
});
