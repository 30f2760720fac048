import type { Params } from './http-json';
import type { SandboxAccount, SandboxState } from './state';
import type { AddThrottle } from './throttle';

/** What an emulated endpoint sees. Handlers return the JSON answer or throw `Error(vendorMessage)`. */
export interface EndpointContext {
  state: SandboxState;
  /** Undefined when the key is missing or unknown: "anonymous" (§1). */
  account: SandboxAccount | undefined;
  params: Params;
  now: Date;
  /** Undefined when throttling is off. */
  throttle: AddThrottle | undefined;
  /** Whether the server has a reCaptcha secret configured (legacy checkout, §4.6). */
  captcha: boolean;
}

/** One emulated endpoint. */
export type EndpointHandler = (ctx: EndpointContext) => unknown;

/** Each endpoint's own anonymous text (cocalc-api-v2.md §1). */
export const ANONYMOUS = {
  cartWrite: 'must be signed in to use shopping cart',
  cartRead: 'must be signed in to get shopping cart information',
  purchases: 'must be signed in',
  legacyCheckout: 'must be signed in to check out',
} as const;

/** The caller's account, or the endpoint's anonymous error (HTTP 200, like everything else). */
export function requireAccount(ctx: EndpointContext, anonymousMessage: string): SandboxAccount {
  if (!ctx.account) throw new Error(anonymousMessage);
  return ctx.account;
}

/** A JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
