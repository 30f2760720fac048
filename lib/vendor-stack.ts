import type { IChainable, RetryProps, TaskStateBase } from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { VENDOR_PROFILES, Vendor } from '../lambdas/core/vendors';
import type { FunctionId } from '../lambdas/core/workflow';
import type { WorkflowFunctionProps } from './constructs/workflow-function';
import type { NeedGroup } from './function-needs';

/**
 * A vendor's CDK needs (issue #10, "a vendor seam"), declared in its folder
 * (`lambdas/vendors/<vendor>/stack.ts`) and listed in the registry (`#vendors/stacks`, lib/registered-stacks.ts): its own functions'
 * sizing and needs, the functions that call it (they get its secret and its settings, declared in
 * its settings.ts), and its branch of the state machine. Its secret comes from its profile
 * (lambdas/core/vendor-profile.ts); ProcureStack and PurchaseStateMachine wire the rest.
 */
export interface VendorStack<V extends Vendor = Vendor> {
  readonly vendor: V;
  /** Each of its own functions (exactly its profile's `functions`): timeout and memory, and the need groups it is in. */
  readonly functions: { readonly [Id in keyof ProfileOf<V>['functions']]: OwnFunction };
  /**
   * Every function that calls the vendor (its own among them): each gets the secret, a read grant,
   * and the vendor's settings as variables (its settings.ts, lib/vendor-settings.ts).
   */
  readonly callers: readonly FunctionId[];
  /**
   * The npm package its gateway is built on, if any (CoCalc: undici, InterServer: soap): no function
   * but its callers may bundle it (test/infra/bundles.test.ts; `npm run bench -- bundles` counts it
   * in a caller's baseline).
   */
  readonly library?: string;
  /** Its states of the purchase workflow. */
  purchaseSteps(machine: PurchaseMachineParts): PurchaseSteps;
}

type ProfileOf<V extends Vendor> = Extract<(typeof VENDOR_PROFILES)[number], { name: V }>;

export interface OwnFunction {
  readonly sizing: Pick<WorkflowFunctionProps, 'timeout' | 'memorySize'>;
  readonly uses: readonly NeedGroup[];
}

/** What the state machine gives a vendor to build its states with. */
export interface PurchaseMachineParts {
  /**
   * A Lambda task of `fn` as every task of the machine is built (the whole state in, its result at
   * `resultPath`, a timeout past the function's own, Lambda throttling retried first, then `retries`
   * in order: each only where a repeat is safe, lib/constructs/purchase-retries.ts).
   */
  task(state: string, fn: FunctionId, resultPath: string, retries: readonly RetryProps[], throttled?: RetryProps): LambdaInvoke;
  /** Where a failure goes: RecordNotCompleted (Catch it with `resultPath: '$.failure'`). */
  readonly recordNotCompleted: IChainable;
  /** PreparePurchase, for a vendor total that moved: quote again and ask a person again. */
  readonly preparePurchase: IChainable;
  /** Where a purchase goes once bought: VerifyLicense. */
  readonly verifyLicense: IChainable;
}

/** A vendor's states. */
export interface PurchaseSteps {
  /** Its purchase of an approved request: the first state; its last goes on to VerifyLicense. */
  readonly buy: IChainable;
  /**
   * What runs after WaitForCartSlot, for a vendor whose PreparePurchase can ask to wait
   * (`$.cart.waitUntil`); the machine sends it on to CartSlotReady.
   */
  readonly afterWait?: TaskStateBase;
}

/** A vendor's own functions with their sizing and groups. */
export function ownFunctions(part: VendorStack): Array<[FunctionId, OwnFunction]> {
  return Object.entries(part.functions) as Array<[FunctionId, OwnFunction]>;
}

/** A vendor's stack part, its types checked where it is written. */
export function vendorStack<V extends Vendor>(part: VendorStack<V>): VendorStack<V> {
  return part;
}

/** Catches a failure into RecordNotCompleted, as every vendor state does last. */
export const ON_FAILURE = { resultPath: '$.failure' } as const;
