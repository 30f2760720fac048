import { REGISTERED_SANDBOXES } from '#vendors/sandboxes';
import { VENDORS, type Vendor } from '../../../lambdas/core/vendor-names';
import type { HandleOf, OptionsOf, SamplePurchase, VendorSandbox } from './vendor-sandbox';

/**
 * Starts the vendor sandboxes, one for each vendor of the registry (its part, `#vendors/sandboxes`,
 * lambdas/vendors/<vendor>/sandbox.ts), with the credentials the local secrets file holds, so the
 * handlers' secrets and the sandboxes agree. A vendor whose real URL is configured gets no sandbox.
 * A sandbox's module is loaded only when it starts (soap and friends cost start-up time).
 */

/** One part for each vendor of the registry, which this type requires. */
const PARTS: { readonly [V in Vendor]: VendorSandbox<V> } = REGISTERED_SANDBOXES;

/** A vendor's part, as any vendor's. */
const partOf = (vendor: Vendor): VendorSandbox => PARTS[vendor];

type Registered = typeof REGISTERED_SANDBOXES;

/** The running sandboxes, by vendor (as `LocalRuntime.sandboxes` shows them). */
export type RunningSandboxes = { [V in Vendor]?: HandleOf<Registered[V]> };

/** Options passed to each vendor's sandbox, or false for none (then the template's vendor URLs stay). */
export type SandboxOptions = { [V in Vendor]?: Partial<OptionsOf<Registered[V]>> | false };

/** The fields of each vendor's local secret, for its sandbox to accept. */
export type SandboxCredentials = Partial<Record<Vendor, Record<string, string>>>;

export interface StartedSandboxes {
  running: RunningSandboxes;
  close(): Promise<void>;
}

export async function startSandboxes(options: {
  sandboxes: SandboxOptions;
  /** Whether the configuration sets a variable (a vendor's URL set means the real vendor). */
  configured: (variable: string) => boolean;
  credentials: SandboxCredentials;
  /** The runtime's keptInMemory, for each sandbox to keep its own logs as short. */
  keptInMemory: number;
  log?: (line: string) => void;
}): Promise<StartedSandboxes> {
  const running: Partial<Record<Vendor, { close(): Promise<void>; url: string }>> = {};
  const close = async () => {
    await Promise.all(Object.values(running).map((s) => s.close()));
  };
  try {
    for (const vendor of VENDORS) {
      const part = partOf(vendor);
      const own = options.sandboxes[vendor];
      if (own === false || options.configured(part.urlVariable)) continue;
      running[vendor] = await part.start({ ...(options.credentials[vendor] ?? {}), ...(own ?? {}) }, { keptInMemory: options.keptInMemory });
      options.log?.(`sandbox: ${part.label} at ${running[vendor].url}`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { running: running as RunningSandboxes, close };
}

/** The functions' variables that point at the running sandboxes, and those that go along with a vendor's URL. */
export function sandboxWiring(running: RunningSandboxes): { wiring: Record<string, string>; alongside: Record<string, string> } {
  const wiring: Record<string, string> = {};
  const alongside: Record<string, string> = {};
  for (const vendor of VENDORS) {
    const part = partOf(vendor);
    const handle = running[vendor];
    if (handle) Object.assign(wiring, part.wiring(handle));
    Object.assign(alongside, part.alongside ?? {});
  }
  return { wiring, alongside };
}

/** The functions' variable of a vendor's URL (its part's `urlVariable`): set, the vendor gets no sandbox. */
export function sandboxUrlVariable(vendor: Vendor): string {
  return partOf(vendor).urlVariable;
}

/**
 * The functions' variables for a vendor reached at `url` instead of its sandbox: its URL variable,
 * and each variable that goes along with it (its part's `alongside`: InterServer's SOAP endpoint)
 * set empty, so that it is derived from `url` rather than left at what the configuration says.
 */
export function elsewhereWiring(vendor: Vendor, url: string): Record<string, string> {
  const part = partOf(vendor);
  // A part's `alongside` names only variables that go with its own URL variable (vendor-sandbox.ts).
  return { [part.urlVariable]: url, ...Object.fromEntries(Object.keys(part.alongside ?? {}).map((variable) => [variable, ''])) };
}

/** What the CLI buys from a vendor's sandbox by way of example (its part's `sample`). */
export function sampleOf(vendor: Vendor): SamplePurchase<Vendor> {
  return partOf(vendor).sample;
}

/** The vendors whose sandbox runs alone from the CLI (`procure sandbox <vendor>`), with how to run it. */
export function sandboxCommands(): Array<{ vendor: Vendor; label: string; run: (argv: string[]) => Promise<number> }> {
  return VENDORS.flatMap((vendor) => {
    const part = partOf(vendor);
    return part.cli ? [{ vendor, label: part.label, run: part.cli }] : [];
  });
}
