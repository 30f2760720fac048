import { byVendor, VENDORS, type Vendor } from '../../lambdas/core/vendor-names';
import { ENV, secretArnEnv } from '../../lambdas/shared/env-names';
import type { LocalRuntime } from '../local';
import { secretArnOutput, type StackOutputName } from '../stack-outputs';
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
  cocalcBaseUrl: string;
  interserverWsdlUrl: string;
  interserverEndpoint?: string;
}

/** The outputs `resourcesFromOutputs` needs (InterserverEndpoint is optional). */
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
  'CocalcBaseUrl',
  'InterserverWsdlUrl',
] as const satisfies readonly StackOutputName[];
type RequiredOutput = (typeof REQUIRED_OUTPUTS)[number];

/** A deployment's resources from its outputs, or an error naming each missing output. */
export function resourcesFromOutputs(outputs: Readonly<Record<string, unknown>>, source: string): StackResources {
  const missing = REQUIRED_OUTPUTS.filter((k) => typeof outputs[k] !== 'string' || outputs[k] === '');
  if (missing.length)
    throw new Error(
      `${source} lacks the output(s) ${missing.join(', ')}: deploy this version of procure (npx cdk deploy --outputs-file ...) and pass that file`,
    );
  const o = outputs as Record<RequiredOutput, string> & { InterserverEndpoint?: unknown };
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
    cocalcBaseUrl: o.CocalcBaseUrl,
    interserverWsdlUrl: o.InterserverWsdlUrl,
    ...(typeof o.InterserverEndpoint === 'string' && o.InterserverEndpoint ? { interserverEndpoint: o.InterserverEndpoint } : {}),
  };
}

/** The running local runtime's resources, read from the environment its functions run with. */
export function resourcesOfRuntime(rt: Pick<LocalRuntime, 'functions' | 'envOf' | 'stateMachineArn' | 'eventRules'>): StackResources {
  const envs = Object.keys(rt.functions).map((id) => rt.envOf(id));
  const env = (name: string): string => envs.find((e) => e[name] !== undefined)?.[name] ?? '';
  const route = requestRouteOf(rt);
  const endpoint = env(ENV.INTERSERVER_ENDPOINT);
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
    cocalcBaseUrl: env(ENV.COCALC_BASE_URL),
    interserverWsdlUrl: env(ENV.INTERSERVER_WSDL_URL),
    ...(endpoint ? { interserverEndpoint: endpoint } : {}),
  };
}
