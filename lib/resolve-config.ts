import { describeIssues } from '../lambdas/core/zod';
import type { ProcureConfig } from './config';
import { approvalPolicyIssues } from './approval-policy-config';
import { DEFAULT_PROCURE_CONFIG } from './config-defaults';
import { procureConfigSchema } from './config-schema';
import { json } from './context-coercion';
import { counterSizeIssues } from './counter-size-config';
import { followUpIssues } from './follow-up-config';
import { OPTIONAL_SETTINGS, type VendorSettingsConfig } from './vendor-settings';

/** A configuration value failed validation; the message lists every problem. */
export class ProcureConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid procure configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ProcureConfigError';
  }
}

/**
 * Defaults merged with `overrides` (a partial config, e.g. the `procure` context object), then
 * validated. `monthlyCapUsd` may be given partially. Unknown keys are errors, so a typo does not
 * silently fall back to a default.
 */
export function resolveProcureConfig(overrides: unknown = {}): ProcureConfig {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ProcureConfigError([`(config): must be an object, got ${JSON.stringify(overrides)}`]);
  }
  const given = overrides as Record<string, unknown>;
  const caps = json(given.monthlyCapUsd);
  const merged: Record<string, unknown> = {
    ...DEFAULT_PROCURE_CONFIG,
    ...given,
    monthlyCapUsd:
      caps && typeof caps === 'object' && !Array.isArray(caps)
        ? { ...DEFAULT_PROCURE_CONFIG.monthlyCapUsd, ...(caps as object) }
        : (caps ?? DEFAULT_PROCURE_CONFIG.monthlyCapUsd),
  };
  // An empty string from `-c procure:interserverEndpoint=` means "not set".
  for (const key of [
    'approvalBaseUrl',
    ...OPTIONAL_SETTINGS,
    'opsEmails',
    'approvalEscalationEmails',
    'approvalEscalationDelaySeconds',
    'approvalTiers',
    'approverLists',
  ]) {
    if (merged[key] === '' || merged[key] === undefined) delete merged[key];
  }
  const r = procureConfigSchema.safeParse(merged);
  if (!r.success) throw new ProcureConfigError(describeIssues(r.error, '(config)'));
  // The vendors' settings are in the schema through settingsSchemaShape(), typed by their declarations.
  const config: ProcureConfig = r.data as typeof r.data & VendorSettingsConfig;
  const issues = [...followUpIssues(config), ...approvalPolicyIssues(config, given.autoApproveMaxUsd !== undefined), ...counterSizeIssues(config)];
  if (issues.length) throw new ProcureConfigError(issues);
  // Unset optionals were deleted above, so the parsed object has no `undefined`-valued keys.
  return config;
}
