import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, DailyLimitExceededError } from '../../lambdas/core/errors';
import type { Quote, WorkflowState } from '../../lambdas/core/workflow';
import { reserveBudget, type ReserveBudgetDeps } from '../../lambdas/core/reserve-budget';
import { DynamoSpendGuard } from '../../lambdas/adapters/aws/dynamo-spend-guard';
import { cocalcRequest, interserverRequest } from '../support/requests';
import { newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

describe('ReserveBudget', () => {
  let h: StepHarness;
  beforeAll(async () => {
    h = await startStepHarness();
  });
  afterAll(async () => h.close());

  // Each test books into its own month, so the caps start empty.
  let month = 0;
  const clockInFreshMonth = () => {
    month += 1;
    const at = new Date(Date.UTC(2040, month, 10));
    return () => at;
  };
  const quote = (amountUsd: number, vendor: Quote['vendor'] = 'cocalc'): Quote => ({ vendor, amountUsd, summary: 'test', autoApprove: false });
  const handler = (clock: () => Date, caps = { cocalc: 100, interserver: 50 }, dailyLimit = 10) => {
    const deps: ReserveBudgetDeps = {
      audit: h.audit,
      purchases: h.purchases,
      steps: h.steps,
      spendGuard: new DynamoSpendGuard(h.doc, h.db.stateTable, { capsUsd: caps, dailyLimit }),
      clock,
    };
    return (state: WorkflowState) => reserveBudget(deps, state);
  };

  it('reserves the quote, marks the purchase RESERVED and audits the remaining budget', async () => {
    const clock = clockInFreshMonth();
    const state = await newPurchase(h, cocalcRequest(), { quote: quote(30) });
    const reservation = await handler(clock)(state);

    expect(reservation).toMatchObject({ vendor: 'cocalc', amountUsd: 30, month: clock().toISOString().slice(0, 7) });
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('RESERVED');
    const entry = (await h.audit.list(state.purchaseId)).at(-1);
    expect(entry).toMatchObject({ type: 'BUDGET_RESERVED', status: 'RESERVED', detail: { capUsd: 100, remainingUsd: 70 } });
  });

  it('reserves once when the state runs again', async () => {
    const clock = clockInFreshMonth();
    const run = handler(clock);
    const state = await newPurchase(h, cocalcRequest(), { quote: quote(30) });
    await run(state);
    await run(state);
    const last = (await h.audit.list(state.purchaseId)).at(-1);
    expect(last?.detail).toMatchObject({ remainingUsd: 70 });
  });

  it('adjusts the existing reservation after a re-quote instead of reserving again', async () => {
    const clock = clockInFreshMonth();
    const run = handler(clock);
    const state = await newPurchase(h, cocalcRequest(), { quote: quote(30) });
    const reservation = await run(state);
    const adjusted = await run({ ...state, quote: quote(45), reservation });
    expect(adjusted.amountUsd).toBe(45);
    expect((await h.audit.list(state.purchaseId)).at(-1)?.detail).toMatchObject({ remainingUsd: 55, adjusted: true });
  });

  it('passes a budget refusal on to the machine, audited with the reason, reserving nothing', async () => {
    const clock = clockInFreshMonth();
    const run = handler(clock);
    const state = await newPurchase(h, interserverRequest(), { quote: quote(50.01, 'interserver') });
    await expect(run(state)).rejects.toBeInstanceOf(BudgetExceededError);
    const refusal = (await h.audit.list(state.purchaseId)).at(-1);
    expect(refusal).toMatchObject({ type: 'BUDGET_REFUSED', detail: { reason: 'BudgetExceededError', amountUsd: 50.01 } });
    expect(refusal?.message).toMatch(/interserver monthly budget/);
  });

  it('passes the daily limit refusal on to the machine, audited', async () => {
    const clock = clockInFreshMonth();
    const run = handler(clock, undefined, 1);
    await run(await newPurchase(h, cocalcRequest(), { quote: quote(1) }));
    const second: WorkflowState = await newPurchase(h, cocalcRequest(), { quote: quote(1) });
    await expect(run(second)).rejects.toBeInstanceOf(DailyLimitExceededError);
    expect((await h.audit.list(second.purchaseId)).at(-1)).toMatchObject({ type: 'BUDGET_REFUSED', detail: { reason: 'DailyLimitExceededError' } });
  });
});
