import type { z } from 'zod';
import type { purchaseRequestSchema } from '../../../lambdas/core/purchase-request';
import type { Vendor } from '../../../lambdas/core/vendor-names';

/** A request body as a client writes it (schema defaults not yet applied). */
export type PurchaseRequestBody = z.input<typeof purchaseRequestSchema>;

/** A request body of one vendor (an intersection, not Extract<>, so a vendor's part is one of any vendor's). */
type RequestBodyOf<V extends Vendor> = PurchaseRequestBody & { vendor: V };

/** The purchase `procure local` and `procure demo` submit for a vendor, bought from its sandbox. */
export interface SamplePurchase<V extends Vendor> {
  /** How the console names it: "a CoCalc site license". */
  readonly what: string;
  /** Valid against lambdas/core/purchase-request.ts; `requestId` is the caller's idempotency key, fresh each run. */
  request(requestId: string): RequestBodyOf<V>;
}

/** What every vendor sandbox is: a server on loopback that can be closed. */
export interface SandboxHandle {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * How the local runtime runs one vendor's sandbox in place of the vendor (issue #10: each vendor
 * declares it in its folder, lambdas/vendors/<vendor>/sandbox.ts, next to its stack.ts; the
 * registry lists them, `#vendors/sandboxes`). The sandbox itself stays in lib/local/sandboxes/,
 * independent of procure's code; this part only starts it and points the functions at it.
 */
export interface VendorSandbox<V extends Vendor = Vendor, H extends SandboxHandle = SandboxHandle, O extends object = object> {
  readonly vendor: V;
  /** For the log line: "CoCalc API v2" ("sandbox: CoCalc API v2 at http://..."). */
  readonly label: string;
  /** The functions' variable of the vendor's URL: a configuration that sets it means the real vendor, and no sandbox starts. */
  readonly urlVariable: string;
  /**
   * Starts the sandbox with the credentials its local secret holds (if any) and the caller's options;
   * loads its module only now. `runtime.keptInMemory`: how many of its latest records of each kind the
   * runtime keeps in memory, for a sandbox to keep its own logs as short.
   */
  start(options: Partial<O> & Record<string, unknown>, runtime: { keptInMemory: number }): Promise<H>;
  /** The functions' variables that point at the running sandbox. */
  wiring(handle: H): Record<string, string>;
  /** Variables set with `urlVariable` even where the template leaves them to be derived (InterServer's SOAP endpoint). */
  readonly alongside?: Readonly<Record<string, string>>;
  /** What the CLI buys from it by way of example. */
  readonly sample: SamplePurchase<V>;
  /** `procure sandbox <vendor> [...]`: runs the sandbox alone until Ctrl+C (loads its module only now); absent when it has no command of its own. */
  readonly cli?: (argv: string[]) => Promise<number>;
}

/** A part, its handle and options types checked where it is written. */
export function vendorSandbox<V extends Vendor, H extends SandboxHandle, O extends object>(part: VendorSandbox<V, H, O>): VendorSandbox<V, H, O> {
  return part;
}

/** The handle type of a part. */
export type HandleOf<P> = P extends VendorSandbox<Vendor, infer H, object> ? H : never;
/** The options type of a part. */
export type OptionsOf<P> = P extends VendorSandbox<Vendor, SandboxHandle, infer O> ? O : never;
