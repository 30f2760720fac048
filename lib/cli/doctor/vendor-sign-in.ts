import type { Vendor } from '../../../lambdas/core/vendor-names';
import type { SettingValues } from '../../vendor-settings';

/**
 * How `procure doctor` checks a vendor's credentials (issue #10, "a vendor seam"): one read-only
 * sign-in call through procure's own gateway, declared in the vendor's folder
 * (`lambdas/vendors/<vendor>/sign-in.ts`) and listed in the registry (`#vendors/sign-ins`,
 * ./registered-sign-ins.ts). Nothing is bought, carted or changed.
 */
export interface VendorSignIn<V extends Vendor = Vendor> {
  readonly vendor: V;
  /** The report line's name: "vendor: CoCalc key (user-query)". */
  readonly name: string;
  /** Signs in with `secret` (its secret's fields) at the vendor the deployment's `settings` name; throws only when the vendor cannot be asked. */
  check(settings: SettingValues, secret: Readonly<Record<string, string>>): Promise<SignInOutcome>;
  /** When the vendor cannot be asked: what the report says before where and why ("cannot check the key at"), and what to check. */
  readonly unreachable: { readonly detail: string; readonly fix: string };
  /** Where the asking goes, for the report: "https://cocalc.com/api/v2". */
  where(settings: SettingValues): string;
}

/**
 * A sign-in's answer: signed in, or the credentials refused (`detail`, then the vendor's error,
 * which the report shows by name and message; `credentials`: how to get good ones, before how to
 * store them).
 */
export type SignInOutcome = { ok: true; detail: string } | { ok: false; detail: string; error: unknown; credentials: string };
