import type { AttentionFacts } from './attention-facts';
import type * as z from './zod';

/**
 * What procure knows of a vendor without calling it (issue #10, "a vendor seam"): its name, how
 * people read it, the `item` its purchase requests carry, and the fields of its Secrets Manager
 * secret. Each vendor declares one in its own folder (`lambdas/vendors/<vendor>/core/profile.ts`)
 * and the registry (./vendors.ts) lists them, one for each name of ./vendor-names.ts; the request
 * schema and the secrets' contract derive from that list. Pure: zod and core only, so every function and the CDK app can
 * load it without a vendor library.
 */
export interface VendorProfile<
  Name extends string = string,
  Item extends z.ZodMiniType = z.ZodMiniType,
  Functions extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
> {
  /** The request's `vendor` value; also the key of the vendor's secret and caps. */
  readonly name: Name;
  /** The request's `item`, checked at intake and whenever a step reads the request back. */
  readonly itemSchema: Item;
  /**
   * What only intake refuses, because it depends on the time of submission (each issue as
   * "item.<path>: <why>"). Not part of the schema: later steps re-parse the stored request, and
   * what was true at intake must not make a past purchase unreadable. Absent: nothing.
   */
  readonly intakeIssues?: (item: z.output<Item>, now: Date) => string[];
  /**
   * The JSON fields of the vendor's secret, each with a description of what the operator stores
   * there (`"<CoCalc API key>"`), in the order they are listed to people.
   */
  readonly secretFields: Readonly<Record<string, string>>;
  /** What the secret holds, for its description: "CoCalc API v2 key". */
  readonly secretDescription: string;
  /** Where its quotes' prices come from: an id for the API (`POST /quotes`) and a line for people. */
  readonly priceSource: { readonly id: string; readonly description: string };
  /**
   * What a person should check in the vendor's account when a purchase of it ends as
   * NEEDS_ATTENTION (procure cannot tell whether money was spent), one sentence each: the mail to
   * the approvers and the failed event's `check` list.
   */
  readonly attentionChecks: (facts: AttentionFacts, item: z.output<Item>) => string[];
  /**
   * What its own errors (by class name, its folder's core/errors.ts) mean for how a purchase ends and what its
   * requester reads (core/outcome-rules.ts, core/requester-reasons.ts). Absent: none of its errors
   * means more than "failed".
   */
  readonly errorMeanings?: VendorErrorMeanings;
  /** The monthly spend cap (USD) a deployment has unless its configuration sets one. */
  readonly defaultMonthlyCapUsd: number;
  /**
   * The vendor's own Lambda functions (its purchase steps): construct id -> entry file in its
   * handlers/ folder. Their sizing, grants and states are in its stack.ts.
   */
  readonly functions: Functions;
  /**
   * Where its functions' entry files are, relative to lambdas/ (default: its folder's, `vendors/<name>/handlers`).
   * Only for a vendor whose folder is not under lambdas/vendors: a test-only vendor kept under
   * test/fixtures so that no build of procure holds it (a real vendor leaves this out).
   */
  readonly handlersDir?: string;
}

/** What a vendor's error names mean; each list holds error class names. */
export interface VendorErrorMeanings {
  /** The request as written cannot be bought (its IP, its coupon, its type): the purchase ends INVALID. */
  readonly invalidRequest?: readonly string[];
  /** The vendor would not sell what the request names, though the request itself is valid (a license that already exists). */
  readonly notSellable?: readonly string[];
  /** The vendor account lacks the credit to pay. */
  readonly noCredit?: readonly string[];
}

/** A profile, its types checked where it is written (`satisfies` would lose nothing either). */
export function vendorProfile<const Name extends string, Item extends z.ZodMiniType, const Functions extends Readonly<Record<string, string>>>(
  profile: VendorProfile<Name, Item, Functions>,
): VendorProfile<Name, Item, Functions> {
  return profile;
}
