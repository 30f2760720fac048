import { byVendor, VENDORS, type Vendor } from '../../lambdas/core/vendor-names';
import { ENV, secretArnEnv } from '../../lambdas/shared/env-names';
import type { LocalRuntime } from '../local';
import { secretArnOutput, type StackOutputName } from '../stack-outputs';
import { REQUIRED_SETTING_OUTPUTS, type SettingValues, settingsFromEnvironment, settingsFromOutputs } from '../vendor-settings';
import { requestRouteOf } from './request-route';

/**
 * The names of what one procure deployment is made of, as `procure doctor` checks it: from the
 * local runtime (written into runtime.json by `procure local`, read from the functions' own
 * environment) or from a deployment's CloudFormation outputs (`cdk deploy --outputs-file`).
 */
export interface StackResources {
  stateMachineArn: string;
  auditTable: string;
  stateTable: string;
  /** The ARN of each vendor's secret (by vendor name) and of the approval-link key (`signing`). */
  secrets: Readonly<Record<Vendor | 'signing', string>>;
  triggerRule: { name: string; bus: string };
  senderEmail: string;
  approverEmails: string[];
  /** The vendors' settings a deployment shows (lib/vendor-settings.ts), by key: `cocalcBaseUrl`, ...; those not set are absent. */
  settings: SettingValues;
}

/** The outputs `resourcesFromOutputs` needs (a vendor setting without a default, InterserverEndpoint say, may be absent). */
export const REQUIRED_OUTPUTS = [
  'ApiUrl',
  'StateMachineArn',
  'AuditTableName',
  'StateTableName',
  ...VENDORS.map(secretArnOutput),
  'SigningSecretArn',
  'TriggerRuleName',
  'EventBusName',
  'SenderEmail',
  'ApproverEmails',
  ...REQUIRED_SETTING_OUTPUTS,
] as const satisfies readonly StackOutputName[];
type RequiredOutput = (typeof REQUIRED_OUTPUTS)[number];

/** A deployment's resources from its outputs, or an error naming each missing output. */
export function resourcesFromOutputs(outputs: Readonly<Record<string, unknown>>, source: string): StackResources {
  const missing = REQUIRED_OUTPUTS.filter((k) => typeof outputs[k] !== 'string' || outputs[k] === '');
  if (missing.length)
    throw new Error(
      `${source} lacks the output(s) ${missing.join(', ')}: deploy this version of procure (npx cdk deploy --outputs-file ...) and pass that file`,
    );
  const o = outputs as Record<RequiredOutput, string>;
  return {
    stateMachineArn: o.StateMachineArn,
    auditTable: o.AuditTableName,
    stateTable: o.StateTableName,
    secrets: { ...byVendor((v) => o[secretArnOutput(v)]), signing: o.SigningSecretArn },
    triggerRule: { name: o.TriggerRuleName, bus: o.EventBusName },
    senderEmail: o.SenderEmail,
    approverEmails: o.ApproverEmails.split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    settings: settingsFromOutputs(outputs),
  };
}

/** The running local runtime's resources, read from the environment its functions run with. */
export function resourcesOfRuntime(rt: Pick<LocalRuntime, 'functions' | 'envOf' | 'stateMachineArn' | 'eventRules'>): StackResources {
  const envs = Object.keys(rt.functions).map((id) => rt.envOf(id));
  const env = (name: string): string => envs.find((e) => e[name] !== undefined)?.[name] ?? '';
  const route = requestRouteOf(rt);
  return {
    stateMachineArn: rt.stateMachineArn,
    auditTable: env(ENV.AUDIT_TABLE_NAME),
    stateTable: env(ENV.STATE_TABLE_NAME),
    secrets: { ...byVendor((v) => env(secretArnEnv(v))), signing: env(ENV.SIGNING_SECRET_ARN) },
    triggerRule: { name: route.ruleName ?? '', bus: route.busName },
    senderEmail: env(ENV.SENDER_EMAIL),
    approverEmails: env(ENV.APPROVER_EMAILS)
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    settings: settingsFromEnvironment(env),
  };
}
