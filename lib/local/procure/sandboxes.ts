import type { CocalcSandbox, CocalcSandboxOptions } from '../sandboxes/cocalc/index';
import type { InterserverSandbox, InterserverSandboxOptions } from '../sandboxes/interserver/index';

/**
 * Starts the vendor sandboxes (lib/local/sandboxes/cocalc and /interserver, owned by their own
 * modules) with the credentials the local secrets file holds, so the handlers' secrets and the
 * sandboxes agree. A vendor whose real URL is configured gets no sandbox. The modules are loaded
 * only when a sandbox starts (soap and friends cost start-up time).
 */
export type SandboxHandle = CocalcSandbox;
export type InterserverSandboxHandle = InterserverSandbox;

export interface StartedSandboxes {
  cocalc?: CocalcSandbox;
  interserver?: InterserverSandbox;
  close(): Promise<void>;
}

export interface SandboxCredentials {
  cocalc?: { apiKey: string };
  interserver?: { username: string; password: string };
}

export async function startSandboxes(options: {
  cocalc?: Partial<CocalcSandboxOptions> | false;
  interserver?: Partial<InterserverSandboxOptions> | false;
  credentials: SandboxCredentials;
  log?: (line: string) => void;
}): Promise<StartedSandboxes> {
  const started: StartedSandboxes = {
    close: async () => {
      await Promise.all([started.cocalc?.close(), started.interserver?.close()]);
    },
  };
  try {
    if (options.cocalc !== false) {
      const { startCocalcSandbox } = await import('../sandboxes/cocalc/index.js');
      started.cocalc = await startCocalcSandbox({ ...(options.credentials.cocalc ?? {}), ...(options.cocalc ?? {}) });
      options.log?.(`sandbox: CoCalc API v2 at ${started.cocalc.url}`);
    }
    if (options.interserver !== false) {
      const { startInterserverSandbox } = await import('../sandboxes/interserver/index.js');
      started.interserver = await startInterserverSandbox({ ...(options.credentials.interserver ?? {}), ...(options.interserver ?? {}) });
      options.log?.(`sandbox: InterServer SOAP at ${started.interserver.url}`);
    }
  } catch (err) {
    await started.close();
    throw err;
  }
  return started;
}
