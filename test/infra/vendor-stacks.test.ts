import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { INTERSERVER_STATES } from '../../lambdas/vendors/interserver/core/states';
import { Duration } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { VENDOR_PROFILES, VENDORS } from '../../lambdas/core/vendors';
import { FUNCTIONS, namedTwice } from '../../lambdas/core/functions';
import { STATE, type FunctionId } from '../../lambdas/core/workflow';
import { LOCK_BUSY } from '../../lib/constructs/purchase-retries';
import { PurchaseStateMachine } from '../../lib/constructs/purchase-state-machine';
import type { CfnTemplate } from '../../lib/local/cfn-template';
import { aslFromTemplate } from '../../lib/local/asl-from-template';
import { SIZING, USES } from '../../lib/function-uses';
import { ON_FAILURE, ownFunctions, vendorStack, type VendorStack } from '../../lib/vendor-stack';
import { VENDOR_STACKS } from '../../lib/vendor-stacks';
import { vendorLeftovers } from '../../lambdas/composition/vendor-leftovers';
import { bareStack, templateOf, TEST_ENV } from './synth';

/**
 * The CDK side of the vendor seam (issue #10): each vendor's stack.ts declares its own functions,
 * its callers and its states (its settings are its settings.ts: vendor-settings.test.ts), and the stack and the state machine derive from the
 * list. A test-only vendor's part, added to the list, gets its branch of the machine.
 */

describe('the vendor stack parts', () => {
  it('no function id is named twice (a vendor function named like another would take its place)', () => {
    expect(namedTwice(['PreparePurchase', 'CocalcCheckout', 'PreparePurchase', 'X', 'X', 'X'])).toEqual(['PreparePurchase', 'X']);
  });

  it('one for each vendor of the registry, in its order', () => {
    expect(VENDOR_STACKS.map((v) => v.vendor)).toEqual(VENDORS);
  });

  it("each declares exactly its profile's own functions, which call the vendor, and sizes them", () => {
    for (const profile of VENDOR_PROFILES) {
      const part = VENDOR_STACKS.find((v) => v.vendor === profile.name)!;
      const own = ownFunctions(part);
      expect(own.map(([id]) => id)).toEqual(Object.keys(profile.functions));
      expect(part.callers).toEqual(expect.arrayContaining(own.map(([id]) => id)));
      for (const [id, fn] of own) expect(SIZING[id]).toBe(fn.sizing);
    }
  });

  it('lists RecordOutcome and Reconcile among its callers exactly when it has leftovers to take back (they call it to)', () => {
    const leftovers = vendorLeftovers();
    for (const part of VENDOR_STACKS) {
      const takesBack = part.callers.includes('RecordOutcome') && part.callers.includes('Reconcile');
      expect({ vendor: part.vendor, takesBack }).toEqual({ vendor: part.vendor, takesBack: leftovers[part.vendor] !== null });
    }
  });

  it("puts its own functions in the need groups they name, after procure's own", () => {
    expect(USES.tables.slice(-3)).toEqual(['CocalcAddToCart', 'CocalcCheckout', 'InterserverBuy']);
    expect(USES.approvalPolicy).toEqual(expect.arrayContaining(['CocalcCheckout', 'InterserverBuy']));
    expect(USES.approvalPolicy).not.toContain('CocalcAddToCart');
    expect(USES.signing.filter((id) => id.startsWith('Cocalc') || id.startsWith('Interserver'))).toEqual([]);
  });
});

/** A vendor that exists only here: a buy, and a step after a wait for a slot like CoCalc's add. */
const fixtureStack = vendorStack({
  vendor: 'fixturevendor' as never,
  functions: { ['FixtureVendorBuy' as FunctionId]: { sizing: { timeout: Duration.seconds(30) }, uses: ['tables'] } },
  callers: ['FixtureVendorBuy' as FunctionId],
  purchaseSteps: (machine) => {
    const buy = machine.task('FixtureBuy', 'FixtureVendorBuy' as FunctionId, '$.purchase', [LOCK_BUSY]).addCatch(machine.recordNotCompleted, ON_FAILURE);
    buy.next(machine.verifyLicense);
    const again = machine.task('FixtureReserveAgain', 'FixtureVendorBuy' as FunctionId, '$.cart', []).addCatch(machine.recordNotCompleted, ON_FAILURE);
    return { buy, afterWait: again };
  },
});

function machineWith(vendors: readonly VendorStack[]) {
  const bare = bareStack('Machine');
  const ids = [...Object.keys(FUNCTIONS), 'FixtureVendorBuy'];
  const functions = Object.fromEntries(
    ids.map((id) => [
      id,
      new LambdaFunction(bare.stack, id, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = () => {};') }),
    ]),
  ) as Record<FunctionId, LambdaFunction>;
  new PurchaseStateMachine(bare.stack, 'PurchaseStateMachine', { stateMachineName: 'm', approvalTimeout: Duration.minutes(5), functions, vendors });
  const asl = aslFromTemplate(templateOf(bare.stack).toJSON() as CfnTemplate, { env: TEST_ENV });
  return { asl, dispose: bare.dispose };
}

describe("the state machine takes each vendor's states from its part", () => {
  const cleanups: Array<() => void> = [];
  afterAll(() => {
    for (const c of cleanups) c();
  });
  const build = (vendors: readonly VendorStack[]) => {
    const m = machineWith(vendors);
    cleanups.push(m.dispose);
    return m.asl.States as Record<
      string,
      { Type: string; Next?: string; Default?: string; Choices?: Array<Record<string, unknown>>; Catch?: Array<{ Next: string }> }
    >;
  };

  it('a vendor added to the list gets its approved branch, into VerifyLicense, its failures into RecordNotCompleted', () => {
    const states = build([...VENDOR_STACKS, fixtureStack]);
    const decision = JSON.stringify(states[STATE.ApprovalDecision]!.Choices);
    expect(decision).toContain('"StringEquals":"fixturevendor"');
    expect(states[STATE.ApprovalDecision]!.Choices!.map((c) => c.Next)).toEqual([COCALC_STATES.Checkout, INTERSERVER_STATES.BuyLicense, 'FixtureBuy']);
    expect(states[STATE.ApprovalDecision]!.Default).toBe(STATE.RecordNotCompleted);
    expect(states.FixtureBuy!.Next).toBe(STATE.VerifyLicense);
    expect(states.FixtureBuy!.Catch!.map((c) => c.Next)).toEqual([STATE.RecordNotCompleted]);
  });

  it('with two vendors that wait for a slot, the wait goes on by vendor, and an unknown one ends', () => {
    const states = build([...VENDOR_STACKS, fixtureStack]);
    expect(states[STATE.WaitForCartSlot]!.Next).toBe('AfterWaitByVendor');
    expect(states.AfterWaitByVendor!.Choices!.map((c) => c.Next)).toEqual([COCALC_STATES.AddToCart, 'FixtureReserveAgain']);
    expect(states.AfterWaitByVendor!.Default).toBe(STATE.RecordNotCompleted);
    expect(states.FixtureReserveAgain!.Next).toBe(STATE.CartSlotReady);
  });

  it("procure's own list keeps the one wait straight into AddToCart; without a waiting vendor there is no wait at all", () => {
    const own = build(VENDOR_STACKS);
    expect(own[STATE.WaitForCartSlot]!.Next).toBe(COCALC_STATES.AddToCart);
    expect(own.AfterWaitByVendor).toBeUndefined();
    const noWait = build(VENDOR_STACKS.filter((v) => v.vendor === 'interserver'));
    expect(noWait[STATE.WaitForCartSlot]).toBeUndefined();
    expect(noWait[COCALC_STATES.AddToCart]).toBeUndefined();
    expect(noWait[STATE.CartSlotReady]!.Choices!.map((c) => c.Next)).toEqual([STATE.AutoApprove]);
  });
});
