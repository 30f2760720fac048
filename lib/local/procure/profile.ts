import { randomBytes } from 'node:crypto';
import { VENDORS, type Vendor } from '../../../lambdas/core/vendor-names';
import { ENV, secretArnEnv } from '../../../lambdas/shared/env-names';
import { secretFieldsOf } from '../../../lambdas/shared/vendor-secret-shapes';
import { STATE, type RecordOutcomePayload, type WorkflowState } from '../../../lambdas/core/workflow';
import type { LocalStateMachine } from '../executions';
import type { RuntimeProfile } from '../runtime-profile';
import { generateSigningKey } from '../secrets-vault';
import type { CocalcSandboxOptions } from '../sandboxes/cocalc/index';
import type { InterserverSandboxOptions } from '../sandboxes/interserver/index';
import { closeInterruptedExecutions, resumeInterruptedExecutions, type InterruptedExecution, type ResumedExecution } from './interrupted';
import { startSandboxes, type InterserverSandboxHandle, type SandboxCredentials, type SandboxHandle } from './sandboxes';
import { PROCURE_WATCH } from './watch';

/** The vendor sandboxes a procure runtime runs, as `LocalRuntime.sandboxes` shows them. */
export interface ProcureSandboxes {
  cocalcUrl?: string;
  interserverUrl?: string;
  cocalc?: SandboxHandle;
  interserver?: InterserverSandboxHandle;
}

/** Options passed to each sandbox, or false for none (then the template's vendor URLs stay). */
export type ProcureSandboxOptions = { cocalc?: Partial<CocalcSandboxOptions> | false; interserver?: Partial<InterserverSandboxOptions> | false } | false;

export type ProcureProfile = RuntimeProfile<ProcureSandboxes, InterruptedExecution, ResumedExecution>;

/**
 * procure's specifics on the generic emulator: its secrets' roles (the vendor credentials the
 * sandboxes accept, the approval-link signing key), the vendor sandboxes and the URLs the functions
 * reach them and the approvals API by, and the bookkeeping of an interrupted purchase (audit
 * entries, expired approvals, the workflow's own close-out through RecordNotCompleted).
 */
export function procureProfile(options: { sandboxes?: ProcureSandboxOptions } = {}): ProcureProfile {
  return {
    name: 'procure',
    watch: PROCURE_WATCH,
    secretRoles,
    startSandboxes: async ({ config, secretJson, log }) => {
      const sb = options.sandboxes === false ? { cocalc: false as const, interserver: false as const } : (options.sandboxes ?? {});
      const started = await startSandboxes({
        cocalc: config[ENV.COCALC_BASE_URL] ? false : (sb.cocalc ?? {}),
        interserver: config[ENV.INTERSERVER_WSDL_URL] ? false : (sb.interserver ?? {}),
        credentials: sandboxCredentials(secretJson),
        log,
      });
      const view: ProcureSandboxes = {
        ...(started.cocalc ? { cocalc: started.cocalc, cocalcUrl: started.cocalc.url } : {}),
        ...(started.interserver ? { interserver: started.interserver, interserverUrl: started.interserver.url } : {}),
      };
      return { view, close: () => started.close() };
    },
    functionWiring: ({ apiUrl, sandboxes, callbackTimeoutSeconds }) => {
      const wiring: Record<string, string> = { [ENV.APPROVAL_BASE_URL]: apiUrl };
      if (sandboxes.cocalc) wiring[ENV.COCALC_BASE_URL] = sandboxes.cocalc.url;
      if (sandboxes.interserver) {
        wiring[ENV.INTERSERVER_WSDL_URL] = sandboxes.interserver.url;
        wiring[ENV.INTERSERVER_ENDPOINT] = sandboxes.interserver.endpoint;
      }
      const config: Record<string, string> = {};
      if (callbackTimeoutSeconds !== undefined) config[ENV.APPROVAL_TIMEOUT_SECONDS] = String(callbackTimeoutSeconds);
      return {
        wiring,
        // The SOAP endpoint goes with the WSDL URL even where the template leaves it to be derived.
        alongside: { [ENV.INTERSERVER_ENDPOINT]: ENV.INTERSERVER_WSDL_URL },
        config,
      };
    },
    closeInterrupted: ({ records, client, tables, machines, invoke, log }) =>
      closeInterruptedExecutions({ records, client, tables, log, ...interruptedCloseOut(machines, invoke, log) }),
    resumeInterrupted: (ctx) => resumeInterruptedExecutions(ctx),
  };
}

/**
 * Env names whose value is a secret's ARN, and the value a fresh local secret of that role gets:
 * for each vendor of the registry, its secret's fields (its profile's) each a random token, which
 * its sandbox is started with; and the approval-link signing key.
 */
function secretRoles(): Record<string, () => string> {
  const vendorSecret = (vendor: Vendor) => () =>
    JSON.stringify(Object.fromEntries(secretFieldsOf(vendor).map((field) => [field, `local-${randomBytes(12).toString('base64url')}`])));
  return { ...Object.fromEntries(VENDORS.map((v) => [secretArnEnv(v), vendorSecret(v)])), [ENV.SIGNING_SECRET_ARN]: generateSigningKey };
}

/**
 * The credentials each vendor's sandbox accepts: those its local secret holds, when every field of
 * it is set (a sandbox then refuses any other); none, and the sandbox makes up its own.
 */
function sandboxCredentials(secretJson: (envName: string) => Record<string, string | undefined>): SandboxCredentials {
  const credentials: Partial<Record<Vendor, Record<string, string>>> = {};
  for (const vendor of VENDORS) {
    const secret = secretJson(secretArnEnv(vendor));
    const fields = secretFieldsOf(vendor);
    if (fields.every((f) => typeof secret[f] === 'string' && secret[f] !== ''))
      credentials[vendor] = Object.fromEntries(fields.map((f) => [f, secret[f] as string]));
  }
  return credentials as SandboxCredentials;
}

/**
 * An interrupted purchase goes through the machine's RecordNotCompleted state (the same function,
 * the same payload shape as the Catch path), so its budget is released and its cart item removed
 * exactly as after any other failure. A template without that state gets no close-out.
 */
function interruptedCloseOut(
  machines: LocalStateMachine[],
  invoke: (logicalId: string, event: unknown) => Promise<unknown>,
  log: (line: string) => void,
): { closeOut?: (purchaseId: string, input: Record<string, unknown>, cause: string) => Promise<void> } {
  const binding = machines.flatMap((m) => m.bindings).find((b) => b.stateName === STATE.RecordNotCompleted);
  if (!binding) return {};
  return {
    closeOut: async (purchaseId, input, cause) => {
      const payload: RecordOutcomePayload = {
        outcome: 'NOT_COMPLETED',
        state: { ...(input as unknown as WorkflowState), purchaseId, failure: { Error: 'Local.RuntimeStopped', Cause: cause } },
      };
      const result = await invoke(binding.fn.logicalId, payload);
      log(`interrupted: ${purchaseId} closed by ${STATE.RecordNotCompleted}: ${JSON.stringify(result)}`);
    },
  };
}
