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
  /** Where the sign-in goes, for the report: "https://cocalc.com/api/v2". */
  where(settings: SettingValues): string;
  /**
   * Signs in with `secret` (its secret's fields) at the vendor the deployment's `settings` name, and
   * says how it went ("signed in at ... as account ..."). A refusal of the credentials throws
   * VendorAuthError; any other error means the vendor could not be asked.
   */
  signIn(settings: SettingValues, secret: Readonly<Record<string, string>>): Promise<string>;
  /** A refusal: what the report says after where ("did not sign the key in"), and how to get good credentials (storing them follows). */
  readonly refused: { readonly detail: string; readonly credentials: string };
  /** The vendor not asked: what the report says before where ("cannot check the key at"), and what to check. */
  readonly unreachable: { readonly detail: string; readonly fix: string };
}
