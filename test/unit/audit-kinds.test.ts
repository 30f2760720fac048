import { describe, expect, it } from 'vitest';
import { AUDIT } from '../../lambdas/core/audit-kinds';
import { COCALC_AUDIT } from '../../lambdas/vendors/cocalc/core/audit-kinds';
import { CLOSED } from '../../lambdas/core/outcome-rules';
import { RECONCILED } from '../../lambdas/core/reconcile';
import { RESOLVED } from '../../lambdas/core/resolve-purchase';

/** The audit entry kinds: one name per kind, and the readers' names are the writers' kinds. */
describe('audit entry kinds', () => {
  it('names each kind once, in SCREAMING_SNAKE', () => {
    const kinds = Object.values(AUDIT);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds.filter((k) => !/^[A-Z]+(?:_[A-Z]+)*$/.test(k))).toEqual([]);
  });

  it("keeps a vendor's own kinds in its folder, named apart from procure's", () => {
    const cocalc = Object.values(COCALC_AUDIT);
    expect(cocalc.filter((k) => !/^[A-Z]+(?:_[A-Z]+)*$/.test(k))).toEqual([]);
    expect(cocalc.filter((k) => (Object.values(AUDIT) as string[]).includes(k))).toEqual([]);
    // procure's list names no vendor's steps.
    expect(Object.values(AUDIT).filter((k) => /CART|CHECKOUT|INVOICE/.test(k))).toEqual([]);
  });

  it('gives the closing entries RecordOutcome and the reconciler look for the kinds that are written', () => {
    expect(Object.values(CLOSED).sort()).toEqual([AUDIT.completed, AUDIT.notCompleted, AUDIT.resolved].sort());
    expect(RESOLVED).toBe(AUDIT.resolved);
    expect(RECONCILED).toBe(AUDIT.reconciled);
  });
});
