import { describe, expect, it } from 'vitest';
import type { AuditKind } from '../../lambdas/core/audit-kinds';
import { CLEANUP_STEPS } from '../../lambdas/core/cleanup-steps';
import { describeFailure } from '../../lambdas/core/failure';
import {
  afterCartCleanup,
  afterRelease,
  classifyEnd,
  compensateEnd,
  finalEnd,
  reasonForEnd,
  recordedEnd,
  startEnd,
  type CartCleanup,
  type StepResult,
} from '../../lambdas/core/outcome-rules';
import type { AuditEntry, PurchaseRecord } from '../../lambdas/core/ports';
import type { PurchaseRequest } from '../../lambdas/core/purchase-request';
import type { FailureInfo, PurchaseStatus, WorkflowState } from '../../lambdas/core/workflow';
import { cocalcRequest, interserverRequest } from '../support/requests';

/** RecordOutcome's rules as tables: what the state and the record show -> the end, and what compensation makes of it. */

const lambdaFailure = (name: string, message = 'boom'): FailureInfo => ({ Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message }) });
const timeout: FailureInfo = { Error: 'States.Timeout', Cause: '' };
/** The item CoCalc's preparation left, as RecordNotCompleted names it. */
const ITEM_10 = { vendor: 'CoCalc', noun: 'cart item', id: 10 };
const approved = { decision: 'APPROVED' as const, approver: 'boss@example.com', decidedAt: '2026-01-01T00:00:00.000Z' };
const rejected = { decision: 'REJECTED' as const, approver: 'boss@example.com', decidedAt: '2026-01-01T00:00:00.000Z', comment: 'too dear' };

const state = (over: Partial<WorkflowState> = {}): WorkflowState => ({
  purchaseId: 'pur-1',
  request: cocalcRequest() as unknown as PurchaseRequest,
  source: 'api',
  receivedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const record = (status: PurchaseStatus, extra: Partial<PurchaseRecord> = {}): PurchaseRecord => ({
  purchaseId: 'pur-1',
  requestId: 'r-1',
  vendor: 'cocalc',
  status,
  requestHash: 'h',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});
const entry = (type: AuditKind, status: PurchaseStatus, detail?: Record<string, unknown>): AuditEntry => ({
  purchaseId: 'pur-1',
  seq: type,
  at: '2026-01-01T00:00:00.000Z',
  type,
  status,
  ...(detail ? { detail } : {}),
});

describe('a purchase already closed is not closed again', () => {
  it.each([
    { trail: [entry('REQUEST_RECEIVED', 'RECEIVED')], expected: undefined },
    { trail: [entry('COMPLETED', 'COMPLETED')], expected: { status: 'COMPLETED' } },
    { trail: [entry('NOT_COMPLETED', 'FAILED', { reason: 'x' })], expected: { status: 'FAILED', reason: 'x' } },
    {
      trail: [entry('NOT_COMPLETED', 'NEEDS_ATTENTION', { reason: 'x' }), entry('RESOLVED', 'COMPLETED', { reason: 'found it' })],
      expected: { status: 'COMPLETED', reason: 'found it' },
    },
  ])('%#: the latest closing entry is the end', ({ trail, expected }) => {
    expect(recordedEnd(trail)).toEqual(expected);
  });
});

describe('what a purchase ended as (classification)', () => {
  it.each([
    {
      why: 'an unknown vendor outcome',
      s: state({ failure: lambdaFailure('PurchaseOutcomeUnknownError') }),
      rec: record('APPROVED'),
      expected: 'NEEDS_ATTENTION',
    },
    { why: 'a purchase call that started', s: state({ failure: lambdaFailure('States.TaskFailed') }), rec: record('PURCHASING'), expected: 'NEEDS_ATTENTION' },
    {
      why: 'a recorded license, whatever the error',
      s: state({ failure: lambdaFailure('InvalidRequestError') }),
      rec: record('APPROVED', { licenseId: 'L' }),
      expected: 'NEEDS_ATTENTION',
    },
    {
      why: 'a recorded invoice',
      s: state({ failure: lambdaFailure('VendorTransientError') }),
      rec: record('APPROVED', { invoice: 7 }),
      expected: 'NEEDS_ATTENTION',
    },
    {
      why: 'a $.purchase result',
      s: state({ purchase: { vendor: 'cocalc', amountUsd: 1, reconciled: false }, failure: lambdaFailure('Error') }),
      rec: record('PURCHASED'),
      expected: 'NEEDS_ATTENTION',
    },
    { why: 'a rejection', s: state({ approval: rejected }), rec: record('REJECTED'), expected: 'REJECTED' },
    { why: 'the approval task timed out, nobody decided', s: state({ failure: timeout }), rec: record('AWAITING_APPROVAL'), expected: 'EXPIRED' },
    {
      why: 'a heartbeat timeout while waiting',
      s: state({ failure: { Error: 'States.HeartbeatTimeout', Cause: '' } }),
      rec: record('AWAITING_APPROVAL'),
      expected: 'EXPIRED',
    },
    { why: 'a late link decision after the timeout', s: state({ failure: timeout }), rec: record('APPROVED'), expected: 'EXPIRED' },
    { why: "a step's own timeout after the approval", s: state({ approval: approved, failure: timeout }), rec: record('APPROVED'), expected: 'FAILED' },
    {
      why: 'the second round went unanswered',
      s: state({ approval: approved, mismatch: lambdaFailure('QuoteMismatchError'), failure: timeout }),
      rec: record('AWAITING_APPROVAL'),
      expected: 'EXPIRED',
    },
    { why: 'a timeout without a record', s: state({ failure: timeout }), rec: undefined, expected: 'FAILED' },
    { why: 'a timeout of a purchase being reserved', s: state({ failure: timeout }), rec: record('QUOTED'), expected: 'FAILED' },
    { why: 'a wrong request', s: state({ failure: lambdaFailure('InvalidRequestError') }), rec: record('RECEIVED'), expected: 'INVALID' },
    { why: 'a cost above the cap', s: state({ failure: lambdaFailure('MaxCostExceededError') }), rec: record('RECEIVED'), expected: 'INVALID' },
    {
      why: 'an IP the vendor refuses (its profile says the request was wrong)',
      s: state({ request: interserverRequest() as unknown as PurchaseRequest, failure: lambdaFailure('IpNotAllowedError') }),
      rec: record('APPROVED'),
      expected: 'INVALID',
    },
    { why: 'a budget refusal', s: state({ failure: lambdaFailure('BudgetExceededError') }), rec: record('QUOTED'), expected: 'FAILED' },
    { why: 'no failure at all', s: state(), rec: record('APPROVED'), expected: 'FAILED' },
  ])('$why -> $expected', ({ s, rec, expected }) => {
    expect(classifyEnd(s, rec, s.failure ? describeFailure(s.failure) : undefined)).toBe(expected);
  });
});

describe('why it ended so', () => {
  it.each([
    { s: state({ approval: rejected }), rec: undefined, status: 'REJECTED', expected: 'rejected by boss@example.com: too dear' },
    { s: state({ failure: timeout }), rec: undefined, status: 'EXPIRED', expected: 'nobody decided on the approval in time (States.Timeout)' },
    {
      s: state({ failure: lambdaFailure('States.TaskFailed', 'x') }),
      rec: record('APPROVED', { licenseId: 'L-1' }),
      status: 'NEEDS_ATTENTION',
      expected: 'CoCalc license L-1 was bought, but the workflow failed after the purchase: States.TaskFailed: x',
    },
    { s: state(), rec: record('PURCHASING'), status: 'NEEDS_ATTENTION', expected: 'the CoCalc purchase call started and did not report an outcome' },
    {
      s: state(),
      rec: record('PURCHASED', { invoice: 9 }),
      status: 'NEEDS_ATTENTION',
      expected: 'the CoCalc purchase went through (invoice 9) without naming a license, and the workflow failed after it',
    },
    {
      s: state({ failure: lambdaFailure('PurchaseOutcomeUnknownError', 'may have') }),
      rec: undefined,
      status: 'NEEDS_ATTENTION',
      expected: 'PurchaseOutcomeUnknownError: may have',
    },
    { s: state({ failure: lambdaFailure('BudgetExceededError', 'over') }), rec: undefined, status: 'FAILED', expected: 'BudgetExceededError: over' },
    { s: state(), rec: undefined, status: 'FAILED', expected: 'the purchase did not complete' },
  ] as const)('$status: $expected', ({ s, rec, status, expected }) => {
    expect(reasonForEnd(s, rec, status)).toBe(expected);
  });
});

describe('what compensation makes of the end', () => {
  const ok = <T>(outcome: T): StepResult<T> => ({ ok: true, outcome });
  const cartOk = (outcome: CartCleanup): StepResult<CartCleanup> => ({ ok: true, outcome });
  const failed: StepResult<never> = { ok: false, error: 'VendorTransientError: down' };
  const { deleteCartItem, releaseReservation } = CLEANUP_STEPS;

  /** The whole sequence as the use case runs it (compensateEnd, RecordNotCompleted's own), with the step results given. */
  async function compensated(status: PurchaseStatus, cart: StepResult<CartCleanup> | undefined, release: StepResult<string> | undefined) {
    const steps: string[] = [];
    const end = await compensateEnd(
      startEnd(status, 'why'),
      {
        takeBack: async () => {
          steps.push('delete-cart-item');
          return cart ?? cartOk('none');
        },
        release: async () => {
          steps.push('release');
          return release ?? ok('released');
        },
      },
      ITEM_10,
    );
    return { steps, ...end };
  }

  it.each([
    {
      why: 'all done: the end stands',
      status: 'FAILED',
      cart: cartOk('deleted'),
      release: ok('released'),
      expected: { steps: ['delete-cart-item', 'release'], status: 'FAILED', pending: [] },
    },
    {
      why: 'nothing in the cart',
      status: 'REJECTED',
      cart: cartOk('none'),
      release: ok('released'),
      expected: { steps: ['delete-cart-item', 'release'], status: 'REJECTED', pending: [] },
    },
    {
      why: 'money may be spent: nothing is compensated',
      status: 'NEEDS_ATTENTION',
      cart: undefined,
      release: undefined,
      expected: { steps: [], status: 'NEEDS_ATTENTION', pending: [] },
    },
    {
      why: 'the item was bought after all: the budget stays',
      status: 'EXPIRED',
      cart: cartOk('purchased'),
      release: undefined,
      expected: { steps: ['delete-cart-item'], status: 'NEEDS_ATTENTION', pending: [] },
    },
    {
      why: 'the delete failed: the release waits for it',
      status: 'FAILED',
      cart: failed,
      release: undefined,
      expected: { steps: ['delete-cart-item'], status: 'NEEDS_ATTENTION', pending: [deleteCartItem, releaseReservation], statusAfterCleanup: 'FAILED' },
    },
    {
      why: 'the release failed',
      status: 'INVALID',
      cart: cartOk('gone'),
      release: failed,
      expected: { steps: ['delete-cart-item', 'release'], status: 'NEEDS_ATTENTION', pending: [releaseReservation], statusAfterCleanup: 'INVALID' },
    },
  ] as const)('$why', async ({ status, cart, release, expected }) => {
    await expect(compensated(status, cart, release)).resolves.toMatchObject(expected);
  });

  it('says what was bought and what did not finish', () => {
    expect(afterCartCleanup(startEnd('EXPIRED', 'nobody decided'), { ok: true, outcome: 'purchased' }, ITEM_10).reason).toBe(
      'nobody decided; yet CoCalc reports cart item 10 as PURCHASED, so money was spent',
    );
    const end = afterRelease(afterCartCleanup(startEnd('FAILED', 'x'), failed, ITEM_10), failed);
    expect(finalEnd(end).reason).toBe(
      `x; then cleanup did not finish (${deleteCartItem}: VendorTransientError: down; ${releaseReservation}: VendorTransientError: down)`,
    );
  });
});
