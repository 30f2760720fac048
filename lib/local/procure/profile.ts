import { ENV } from '../../../lambdas/shared/env-names';
import { STATE, type RecordOutcomePayload, type WorkflowState } from '../../../lambdas/core/workflow';
import type { LocalStateMachine } from '../executions';
import type { RuntimeProfile } from '../runtime-profile';
import type { CocalcSandboxOptions } from '../sandboxes/cocalc/index';
import type { InterserverSandboxOptions } from '../sandboxes/interserver/index';
import { closeInterruptedExecutions, resumeInterruptedExecutions, type InterruptedExecution, type ResumedExecution } from './interrupted';
import { startSandboxes, type InterserverSandboxHandle, type SandboxHandle } from './sandboxes';
import { sandboxCredentials, secretRoles } from './vendor-secrets';
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
