import { byVendor } from '../../../lambdas/core/vendor-names';
import { ENV } from '../../../lambdas/shared/env-names';
import { STATE, type RecordOutcomePayload, type WorkflowState } from '../../../lambdas/core/workflow';
import type { LocalStateMachine } from '../executions';
import type { RuntimeProfile } from '../runtime-profile';
import { closeInterruptedExecutions, resumeInterruptedExecutions, type InterruptedExecution, type ResumedExecution } from './interrupted';
import { sandboxWiring, startSandboxes, type RunningSandboxes, type SandboxOptions } from './sandboxes';
import { sandboxCredentials, secretRoles } from './vendor-secrets';
import { PROCURE_WATCH } from './watch';

/** The vendor sandboxes a procure runtime runs, by vendor, as `LocalRuntime.sandboxes` shows them. */
export type ProcureSandboxes = RunningSandboxes;

/** Options passed to each vendor's sandbox, or false for none at all (then the template's vendor URLs stay). */
export type ProcureSandboxOptions = SandboxOptions | false;

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
    startSandboxes: async ({ config, secretJson, keptInMemory, log }) => {
      const started = await startSandboxes({
        sandboxes: options.sandboxes === false ? byVendor(() => false as const) : (options.sandboxes ?? {}),
        configured: (variable) => Boolean(config[variable]),
        credentials: sandboxCredentials(secretJson),
        keptInMemory,
        log,
      });
      return { view: started.running, close: () => started.close() };
    },
    functionWiring: ({ apiUrl, sandboxes, callbackTimeoutSeconds }) => {
      const { wiring, alongside } = sandboxWiring(sandboxes);
      const config: Record<string, string> = {};
      if (callbackTimeoutSeconds !== undefined) config[ENV.APPROVAL_TIMEOUT_SECONDS] = String(callbackTimeoutSeconds);
      return { wiring: { [ENV.APPROVAL_BASE_URL]: apiUrl, ...wiring }, alongside, config };
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
