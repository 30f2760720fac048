import { describe, expect, it } from 'vitest';
import { CLEANUP_STEPS } from '../../lambdas/core/cleanup-steps';
import type { PurchaseRecord } from '../../lambdas/core/ports';
import {
  decideReconcile,
  RECONCILE_LIMITS,
  type CountedReservation,
  type PurchaseView,
  type ReconcileAction,
  type ReconcileSnapshot,
} from '../../lambdas/core/reconcile';
import type { HeldItemId } from '../../lambdas/core/held-item';
import type { BoughtItem, VendorItem } from '../../lambdas/core/vendor-leftovers';
import type { PurchaseStatus } from '../../lambdas/core/workflow';

/**
 * The reconciler's decisions as a table: a snapshot of procure's records and its items at the
 * vendors in, the actions out (which items are procure's is the vendor's leftovers' business:
 * cocalc-leftovers.test.ts). No I/O (the runner is tested in reconcile-runner.test.ts, end to end in
 * test/e2e/runtime-reconciler.test.ts).
 */
const NOW = new Date('2026-07-10T12:00:00Z');
const LONG_AGO = '2026-07-09T12:00:00Z'; // past every grace period
const JUST_NOW = '2026-07-10T11:59:00Z'; // inside the 5-minute grace
const P = (n: number): string => `pur-${String(n).padStart(32, '0')}`;

function record(purchaseId: string, status: PurchaseStatus, extra: Partial<PurchaseRecord> = {}): PurchaseRecord {
  return {
    purchaseId,
    requestId: `req-${purchaseId}`,
    vendor: 'cocalc',
    status,
    requestHash: 'h',
    createdAt: LONG_AGO,
    updatedAt: LONG_AGO,
    executionArn: `arn:aws:states:us-east-1:1:execution:m:${purchaseId}`,
    ...extra,
  };
}

function item(
  id: HeldItemId,
  purchaseId: string,
  opts: { bought?: Omit<BoughtItem, 'id'>; setAside?: boolean; checked?: boolean; vendor?: VendorItem['vendor'] } = {},
): VendorItem {
  return {
    vendor: opts.vendor ?? 'cocalc',
    id,
    purchaseId,
    added: LONG_AGO,
    checked: opts.checked ?? true,
    setAside: opts.setAside ?? false,
    ...(opts.bought ? { bought: { id, ...opts.bought } } : {}),
  };
}

function snapshot(parts: Partial<Omit<ReconcileSnapshot, 'purchases'>> & { purchases?: Record<string, PurchaseView> }): ReconcileSnapshot {
  return {
    now: NOW,
    items: [],
    openPurchaseIds: [],
    attentionPurchaseIds: [],
    reservations: [],
    ...parts,
    purchases: new Map(Object.entries(parts.purchases ?? {})),
  };
}

const counted = (purchaseId: string, status: CountedReservation['status'] = 'RESERVED', updatedAt = LONG_AGO): CountedReservation => ({
  purchaseId,
  vendor: 'cocalc',
  month: '2026-07',
  ...(status ? { status } : {}),
  updatedAt,
});

const kinds = (actions: ReconcileAction[]): string[] => actions.map((a) => `${a.kind} ${a.purchaseId}`);

describe('orphan vendor items', () => {
  it.each<[string, PurchaseView | undefined, string[]]>([
    ['the purchase FAILED', { record: record(P(1), 'FAILED'), execution: 'FAILED' }, [`delete-orphan-item ${P(1)}`]],
    [
      'the purchase COMPLETED (a second add of its item)',
      { record: record(P(1), 'COMPLETED', { licenseId: 'lic-1' }), execution: 'SUCCEEDED' },
      [`delete-orphan-item ${P(1)}`],
    ],
    ['the purchase is INTERRUPTED, never closed (item 2 closes it first)', { record: record(P(1), 'INTERRUPTED'), execution: 'ABORTED' }, []],
    ['procure has no record of the purchase', {}, [`delete-orphan-item ${P(1)}`]],
    ['the purchase NEEDS_ATTENTION with nothing pending', { record: record(P(1), 'NEEDS_ATTENTION'), execution: 'FAILED' }, [`delete-orphan-item ${P(1)}`]],
    ['the purchase is running', { record: record(P(1), 'AWAITING_APPROVAL'), execution: 'RUNNING' }, []],
    ['the purchase is not final although its execution is gone (item 2 closes it first)', { record: record(P(1), 'IN_CART'), execution: 'FAILED' }, []],
    ['the record is final but its execution still RUNNING (RecordNotCompleted compensating)', { record: record(P(1), 'REJECTED'), execution: 'RUNNING' }, []],
    ['the record is final but its execution was not looked up', { record: record(P(1), 'FAILED') }, []],
  ])('an unbought item when %s', (_, view, expected) => {
    const s = snapshot({ items: [item(7, P(1))], purchases: view ? { [P(1)]: view } : {} });
    const actions = decideReconcile(s).filter((a) => a.kind === 'delete-orphan-item');
    expect(kinds(actions)).toEqual(expected);
    if (expected.length) expect(actions[0]).toMatchObject({ vendor: 'cocalc', itemId: 7, purchaseStatus: view?.record?.status ?? 'MISSING', checked: true });
  });

  it('takes back an orphan through the vendor that holds it, whichever vendor that is', () => {
    const s = snapshot({ items: [item(7, P(1), { vendor: 'interserver', checked: false })], purchases: {} });
    expect(decideReconcile(s)).toEqual([
      { kind: 'delete-orphan-item', purchaseId: P(1), vendor: 'interserver', itemId: 7, purchaseStatus: 'MISSING', checked: false, added: LONG_AGO },
    ]);
  });

  it('leaves an item set aside (saved for later: checkout cannot buy it)', () => {
    const s = snapshot({ items: [item(7, P(1), { setAside: true })], purchases: { [P(1)]: { record: record(P(1), 'FAILED'), execution: 'FAILED' } } });
    expect(decideReconcile(s)).toEqual([]);
  });

  it('leaves the item a NEEDS_ATTENTION purchase still has to delete to its cleanup, which also releases the budget', () => {
    const na = record(P(1), 'NEEDS_ATTENTION', { cartItemId: 7, cleanupPending: [CLEANUP_STEPS.deleteCartItem, CLEANUP_STEPS.releaseReservation] });
    const s = snapshot({
      items: [item(7, P(1)), item(8, P(1))],
      attentionPurchaseIds: [P(1)],
      purchases: { [P(1)]: { record: na, execution: 'SUCCEEDED' } },
    });
    expect(decideReconcile(s)).toEqual([
      { kind: 'finish-cleanup', purchaseId: P(1), vendor: 'cocalc', steps: ['delete-cart-item', 'release-reservation'], cartItemId: 7 },
      expect.objectContaining({ kind: 'delete-orphan-item', purchaseId: P(1), itemId: 8 }),
    ]);
  });

  it('matches a held item by the very id its vendor gave, a string as well as a number (core/held-item.ts)', () => {
    // A vendor naming its holds with strings: its bought hold is the cleanup's own, not a note; a
    // number that reads the same is another item.
    const na = record(P(1), 'NEEDS_ATTENTION', {
      vendor: 'interserver',
      cartItemId: 'h-7',
      cleanupPending: [CLEANUP_STEPS.deleteCartItem, CLEANUP_STEPS.releaseReservation],
    });
    const bought = { licenseId: 'lic-9', time: LONG_AGO };
    const own = item('h-7', P(1), { vendor: 'interserver', bought });
    const s = snapshot({ items: [own], attentionPurchaseIds: [P(1)], purchases: { [P(1)]: { record: na, execution: 'SUCCEEDED' } } });
    expect(decideReconcile(s)).toEqual([
      { kind: 'finish-cleanup', purchaseId: P(1), vendor: 'interserver', steps: ['delete-cart-item', 'release-reservation'], cartItemId: 'h-7' },
    ]);
    const lookalike = { ...na, cartItemId: 7 };
    const other = snapshot({ items: [own], purchases: { [P(1)]: { record: lookalike, execution: 'SUCCEEDED' } } });
    expect(kinds(decideReconcile(other))).toContain(`note-bought-item ${P(1)}`);
  });

  it("does not leave to a cleanup another vendor's item that shares its id", () => {
    const na = record(P(1), 'NEEDS_ATTENTION', { cartItemId: 7, cleanupPending: [CLEANUP_STEPS.deleteCartItem] });
    const s = snapshot({ items: [item(7, P(1), { vendor: 'interserver' })], purchases: { [P(1)]: { record: na, execution: 'SUCCEEDED' } } });
    expect(decideReconcile(s)).toEqual([expect.objectContaining({ kind: 'delete-orphan-item', vendor: 'interserver', itemId: 7 })]);
  });

  it.each<[string, PurchaseView, boolean]>([
    ['its purchase COMPLETED with that license', { record: record(P(1), 'COMPLETED', { licenseId: 'lic-9' }) }, false],
    ['its purchase COMPLETED with another license', { record: record(P(1), 'COMPLETED', { licenseId: 'lic-1' }) }, true],
    ['its purchase FAILED', { record: record(P(1), 'FAILED'), execution: 'FAILED' }, true],
    ['its purchase is unknown', {}, true],
  ])('notes an item shown bought when %s', (_, view, noted) => {
    const s = snapshot({ items: [item(7, P(1), { bought: { licenseId: 'lic-9', time: LONG_AGO } })], purchases: { [P(1)]: view } });
    expect(decideReconcile(s)).toEqual(
      noted
        ? [
            {
              kind: 'note-bought-item',
              purchaseId: P(1),
              vendor: 'cocalc',
              item: { id: 7, licenseId: 'lic-9', time: LONG_AGO },
              purchaseStatus: view.record?.status ?? 'MISSING',
            },
          ]
        : [],
    );
  });
});

describe('open purchases without a live execution', () => {
  it.each<[string, PurchaseRecord, string | undefined, boolean]>([
    ['its execution FAILED without reaching RecordNotCompleted', record(P(1), 'IN_CART'), 'FAILED', true],
    ['its execution was ABORTED', record(P(1), 'AWAITING_APPROVAL'), 'ABORTED', true],
    ['its execution TIMED_OUT', record(P(1), 'PURCHASING'), 'TIMED_OUT', true],
    ['Step Functions does not know its execution', record(P(1), 'RESERVED'), 'MISSING', true],
    ['the local runtime marked it INTERRUPTED without closing it', record(P(1), 'INTERRUPTED'), 'ABORTED', true],
    ['its execution is RUNNING', record(P(1), 'AWAITING_APPROVAL'), 'RUNNING', false],
    ['its execution was not looked up', record(P(1), 'RESERVED'), undefined, false],
    ['it changed within the grace period', record(P(1), 'RESERVED', { updatedAt: JUST_NOW }), 'FAILED', false],
    ['it is final already', record(P(1), 'FAILED'), 'FAILED', false],
    [
      'its intake never started the execution, within the intake retry window',
      record(P(1), 'RECEIVED', { executionArn: undefined, updatedAt: new Date(NOW.getTime() - 60 * 60_000).toISOString() }),
      'MISSING',
      false,
    ],
    ['its intake never started the execution, past the intake retry window', record(P(1), 'RECEIVED', { executionArn: undefined }), 'MISSING', true],
  ])('is closed when %s: %s', (_, rec, execution, closed) => {
    const s = snapshot({ openPurchaseIds: [P(1), P(1)], purchases: { [P(1)]: { record: rec, ...(execution ? { execution } : {}) } } });
    expect(decideReconcile(s)).toEqual(closed ? [{ kind: 'close-purchase', purchaseId: P(1), status: rec.status, execution, updatedAt: rec.updatedAt }] : []);
  });

  it('skips an open purchase procure has no record of (nothing to close)', () => {
    expect(decideReconcile(snapshot({ openPurchaseIds: [P(1)], purchases: { [P(1)]: {} } }))).toEqual([]);
  });

  it('uses a grace period of minutes, and hours for a purchase whose execution was never started', () => {
    expect(RECONCILE_LIMITS.graceMs).toBe(5 * 60_000);
    expect(RECONCILE_LIMITS.notStartedGraceMs).toBeGreaterThan(2 * 3_600_000); // the trigger's maxEventAge
  });
});

describe('NEEDS_ATTENTION purchases with cleanup pending', () => {
  it.each<[string, Partial<PurchaseRecord>, boolean]>([
    ['the cart item and the reservation are pending', { cleanupPending: ['delete-cart-item', 'release-reservation'], cartItemId: 7 }, true],
    ['only the release is pending', { cleanupPending: ['release-reservation'] }, true],
    ['nothing is pending', { cleanupPending: [] }, false],
    ['no cleanup was ever recorded (money may have been spent)', {}, false],
    ['a person resolved it meanwhile', { cleanupPending: ['release-reservation'], resolution: { finding: 'not-bought', actor: 'ops', at: LONG_AGO } }, false],
  ])('retries the cleanup when %s', (_, extra, retried) => {
    const s = snapshot({ attentionPurchaseIds: [P(1)], purchases: { [P(1)]: { record: record(P(1), 'NEEDS_ATTENTION', extra) } } });
    expect(kinds(decideReconcile(s))).toEqual(retried ? [`finish-cleanup ${P(1)}`] : []);
  });

  it('leaves a purchase that is no longer NEEDS_ATTENTION (resolved, or cleaned up by an earlier run)', () => {
    const s = snapshot({
      attentionPurchaseIds: [P(1)],
      purchases: { [P(1)]: { record: record(P(1), 'FAILED', { cleanupPending: ['release-reservation'] }) } },
    });
    expect(decideReconcile(s)).toEqual([]);
  });
});

describe('reservations still counted', () => {
  it.each<[string, CountedReservation, PurchaseView | undefined, boolean]>([
    ['its purchase FAILED', counted(P(1)), { record: record(P(1), 'FAILED'), execution: 'FAILED' }, true],
    ['its purchase was REJECTED', counted(P(1)), { record: record(P(1), 'REJECTED'), execution: 'SUCCEEDED' }, true],
    ['its purchase EXPIRED', counted(P(1), 'RESERVING'), { record: record(P(1), 'EXPIRED'), execution: 'FAILED' }, true],
    ['its purchase was INVALID', counted(P(1), 'RELEASING'), { record: record(P(1), 'INVALID'), execution: 'FAILED' }, true],
    ['procure has no record of its purchase', counted(P(1)), {}, true],
    ['procure has no record of its purchase, but it is minutes old', counted(P(1), 'RESERVED', JUST_NOW), {}, false],
    ['its purchase COMPLETED', counted(P(1)), { record: record(P(1), 'COMPLETED'), execution: 'SUCCEEDED' }, false],
    ['its purchase NEEDS_ATTENTION (money may be spent)', counted(P(1)), { record: record(P(1), 'NEEDS_ATTENTION'), execution: 'FAILED' }, false],
    [
      'its purchase is INTERRUPTED (closed through RecordNotCompleted instead)',
      counted(P(1)),
      { record: record(P(1), 'INTERRUPTED'), execution: 'ABORTED' },
      false,
    ],
    ['its purchase is running', counted(P(1)), { record: record(P(1), 'AWAITING_APPROVAL'), execution: 'RUNNING' }, false],
    ['its purchase was REJECTED and RecordNotCompleted is running', counted(P(1)), { record: record(P(1), 'REJECTED'), execution: 'RUNNING' }, false],
    ['it is COMMITTED (money spent)', counted(P(1), 'COMMITTED'), { record: record(P(1), 'FAILED'), execution: 'FAILED' }, false],
    ['it is RELEASED already', counted(P(1), 'RELEASED'), { record: record(P(1), 'FAILED'), execution: 'FAILED' }, false],
  ])('is released when %s: %s', (_, reservation, view, released) => {
    const s = snapshot({ reservations: [reservation], purchases: view ? { [P(1)]: view } : {} });
    expect(decideReconcile(s)).toEqual(
      released ? [{ kind: 'release-reservation', purchaseId: P(1), purchaseStatus: view?.record?.status ?? 'MISSING', reservation }] : [],
    );
  });
});

describe('one run', () => {
  it('orders its actions: purchases first, then vendor items, then the budget', () => {
    const s = snapshot({
      openPurchaseIds: [P(1)],
      attentionPurchaseIds: [P(2)],
      items: [item(9, P(3))],
      reservations: [counted(P(4))],
      purchases: {
        [P(1)]: { record: record(P(1), 'IN_CART'), execution: 'FAILED' },
        [P(2)]: { record: record(P(2), 'NEEDS_ATTENTION', { cleanupPending: ['release-reservation'] }) },
        [P(3)]: { record: record(P(3), 'FAILED'), execution: 'FAILED' },
        [P(4)]: { record: record(P(4), 'FAILED'), execution: 'FAILED' },
      },
    });
    expect(kinds(decideReconcile(s))).toEqual([
      `close-purchase ${P(1)}`,
      `finish-cleanup ${P(2)}`,
      `delete-orphan-item ${P(3)}`,
      `release-reservation ${P(4)}`,
    ]);
  });
});
