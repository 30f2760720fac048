import { REGISTERED_SETTINGS } from '#vendors/settings';
import type { z } from 'zod';
import { VENDORS, type Vendor } from '../lambdas/core/vendor-names';
import { ENV } from '../lambdas/shared/env-names';
import type { VendorSetting } from './vendor-setting';

/**
 * The vendors' configuration settings, from the registry (`#vendors/settings`; each vendor's
 * lambdas/vendors/<vendor>/settings.ts): what the configuration (config-schema.ts,
 * config-defaults.ts, config.ts), the stack (its callers' variables, its outputs) and `procure
 * doctor` (stack-resources.ts) derive from them. Plain data: no aws-cdk-lib.
 */

type Registered = typeof REGISTERED_SETTINGS;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Every vendor's settings in one record, by key. */
type AllSettings = UnionToIntersection<Registered[keyof Registered]>;
type ValueOf<S> = S extends { readonly schema: z.ZodType<infer T, unknown> } ? T : never;

/** The configuration's vendor settings: those with a default always set, the others optional. */
export type VendorSettingsConfig = {
  readonly [K in keyof AllSettings as AllSettings[K] extends { readonly default: unknown } ? K : never]: ValueOf<AllSettings[K]>;
} & {
  readonly [K in keyof AllSettings as AllSettings[K] extends { readonly default: unknown } ? never : K]?: ValueOf<AllSettings[K]>;
};

/** The stack outputs the settings declare: `CocalcBaseUrl`, ... */
type SettingOutputName = {
  [K in keyof AllSettings]: AllSettings[K] extends { readonly output: { readonly name: infer N } } ? N : never;
}[keyof AllSettings];

/** One setting, with its key and vendor. */
interface KeyedSetting {
  vendor: Vendor;
  key: string;
  setting: VendorSetting;
}

/** Each vendor's settings, which this type requires for every vendor of the registry. */
const BY_VENDOR: { readonly [V in Vendor]: Readonly<Record<string, VendorSetting>> } = REGISTERED_SETTINGS;

const ALL: readonly KeyedSetting[] = VENDORS.flatMap((vendor) => Object.entries(BY_VENDOR[vendor]).map(([key, setting]) => ({ vendor, key, setting })));

type NameKind = 'key' | 'variable' | 'output';

/** A setting's name of each kind: its context key, its callers' variable, its stack output (if any). */
const NAME_OF: { readonly [K in NameKind]: (s: { key: string; setting: Pick<VendorSetting, 'variable' | 'output'> }) => string | undefined } = {
  key: (s) => s.key,
  variable: (s) => s.setting.variable,
  output: (s) => s.setting.output?.name,
};

/**
 * Names two settings share: a key is one context key, a variable one variable of the callers of
 * both vendors, an output one output; shared, one would silently take the other's value.
 */
export function sharedNames(settings: ReadonlyArray<{ vendor: string; key: string; setting: Pick<VendorSetting, 'variable' | 'output'> }>): string[] {
  return (Object.keys(NAME_OF) as NameKind[]).flatMap((kind) => {
    const nameOf = NAME_OF[kind];
    return settings.flatMap((s, i) => {
      const name = nameOf(s);
      const first = settings.findIndex((o) => nameOf(o) === name);
      return name === undefined || first === i
        ? []
        : [`vendor setting ${kind} ${name} is declared by ${settings[first]!.vendor}'s ${settings[first]!.key} and ${s.vendor}'s ${s.key}`];
    });
  });
}
const shared = sharedNames(ALL);
if (shared.length) throw new Error(shared.join('; '));

/**
 * The settings' keys, variables or outputs named like one of procure's own (`taken`): each would
 * replace procure's value or check (a variable: the one procure's stack sets for the same function).
 */
export function settingsClashWith(taken: readonly string[], kind: NameKind): string[] {
  const names = ALL.flatMap((s) => NAME_OF[kind](s) ?? []);
  return names.filter((n) => taken.includes(n)).map((n) => `vendor setting ${kind} ${n} is one of procure's own`);
}

/** Throws, naming them, when a setting's name of `kind` is one of procure's own (`taken`); run where procure's names are defined. */
export function refuseClashes(taken: readonly string[], kind: NameKind): void {
  const clash = settingsClashWith(taken, kind);
  if (clash.length) throw new Error(clash.join('; '));
}
refuseClashes(Object.values(ENV), 'variable');

/** The settings' keys and schemas, for the configuration's schema; one without a default is optional. */
export function settingsSchemaShape(): Record<string, z.ZodType> {
  return Object.fromEntries(ALL.map(({ key, setting }) => [key, setting.default === undefined ? setting.schema.optional() : setting.schema]));
}

/** The settings' defaults, for the configuration's defaults. */
export const SETTING_DEFAULTS: Readonly<Record<string, unknown>> = Object.fromEntries(
  ALL.filter(({ setting }) => setting.default !== undefined).map(({ key, setting }) => [key, setting.default]),
);

/** The settings without a default: unset, or set to "" (`-c procure:<key>=`), they are not set. */
export const OPTIONAL_SETTINGS: readonly string[] = ALL.filter(({ setting }) => setting.default === undefined).map(({ key }) => key);

/** A vendor's settings as its callers' environment variables (a setting not set sets none). */
export function settingsEnvironment(vendor: Vendor, config: VendorSettingsConfig): Record<string, string> {
  const values = config as Readonly<Record<string, unknown>>;
  return Object.fromEntries(ALL.filter((s) => s.vendor === vendor && isSet(values[s.key])).map(({ key, setting }) => [setting.variable, String(values[key])]));
}

/** The stack outputs of the settings that are set. */
export function settingOutputs(config: VendorSettingsConfig): Partial<Record<SettingOutputName, string>> {
  const values = config as Readonly<Record<string, unknown>>;
  return Object.fromEntries(
    ALL.filter(({ key, setting }) => setting.output && isSet(values[key])).map(({ key, setting }) => [setting.output!.name, String(values[key])]),
  );
}

/** Each setting output's description. */
export const SETTING_OUTPUT_DESCRIPTIONS = Object.fromEntries(
  ALL.flatMap(({ setting }) => (setting.output ? [[setting.output.name, setting.output.description]] : [])),
) as Readonly<Record<SettingOutputName, string>>;

/** The outputs of settings with a default: a deployment of this version always has them. */
export const REQUIRED_SETTING_OUTPUTS = ALL.flatMap(({ setting }) =>
  setting.output && setting.default !== undefined ? [setting.output.name] : [],
) as SettingOutputName[];

/** The settings a deployment shows, by key, from its outputs (those not set are left out). */
export function settingsFromOutputs(outputs: Readonly<Record<string, unknown>>): SettingValues {
  return pick((setting) => (setting.output ? outputs[setting.output.name] : undefined));
}

/** The settings the local runtime's functions run with, by key, read from their environment (those not set are left out). */
export function settingsFromEnvironment(env: (variable: string) => string | undefined): SettingValues {
  return pick((setting) => (setting.output ? env(setting.variable) : undefined));
}

/** Settings as text, by key, those not set left out: what a deployment or the local runtime shows. */
export type SettingValues = Readonly<Partial<Record<keyof VendorSettingsConfig, string>>>;

/** Set: neither unset nor "" (which `-c procure:<key>=` gives, and means not set). */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== '';
}

function pick(read: (setting: VendorSetting) => unknown): SettingValues {
  return Object.fromEntries(
    ALL.flatMap(({ key, setting }) => {
      const value = read(setting);
      return typeof value === 'string' && value !== '' ? [[key, value]] : [];
    }),
  );
}
