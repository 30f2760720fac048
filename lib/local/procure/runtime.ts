import type { Emulator, EmulatorOptions } from '../runtime-api';
import { startEmulator } from '../runtime';
import type { InterruptedExecution, ResumedExecution } from './interrupted';
import { procureProfile, type ProcureSandboxes, type ProcureSandboxOptions } from './profile';

/**
 * The embedded default: procure's synthesized app, run whole and offline in this process by the
 * generic emulator with procure's profile. See lib/local/README.md for what runs where.
 */
export interface LocalRuntimeOptions extends EmulatorOptions {
  /** Options passed to each vendor sandbox, or false for none (then the template's vendor URLs stay). */
  sandboxes?: ProcureSandboxOptions;
}

/** A running procure runtime: the emulator, with the vendor sandboxes and interrupted purchases procure's profile reports. */
export interface LocalRuntime extends Emulator<ProcureSandboxes, InterruptedExecution, ResumedExecution> {}

export function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const { sandboxes, ...emulatorOptions } = options;
  return startEmulator(emulatorOptions, procureProfile(sandboxes !== undefined ? { sandboxes } : {}));
}
