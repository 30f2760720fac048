import { createClientAsync, type Client } from 'soap';
import { VendorRejectedError } from '../../../core/errors';
import { INTERSERVER_WSDL } from './interserver-wsdl';
import { unwrapSoap, type Unwrapped } from './unwrap';
import { interserverWsdlModel, type WsdlModel, type WsdlOperation } from './wsdl-model';

/**
 * node-soap client creation and the single SOAP round trip. Errors from here are raw node-soap /
 * axios errors; the gateway maps them (transport-errors.ts).
 */
export interface SoapClientSettings {
  /** Fetched unless `useBundledWsdl`. */
  wsdlUrl: string;
  /** Always passed: node-soap posts to the WSDL's soap:address otherwise (toolchain.md §6.1). */
  endpoint: string;
  useBundledWsdl: boolean;
  timeoutMs: number;
}

/**
 * Creates the client. The bundled WSDL is handed to node-soap as a string, which it accepts
 * directly when the text starts with "<?xml" (no temp file needed). A fetched WSDL is checked
 * against the bundled one: every operation's input parts must have the same names in the same
 * order, because the arguments are ordered from the bundled copy and the server binds them by
 * position (interserver-soap.md §1) — a reordered vendor WSDL must stop us, not shift arguments.
 */
export async function createInterserverSoapClient(settings: SoapClientSettings): Promise<Client> {
  const options = {
    endpoint: settings.endpoint,
    // The gateway caches its client; node-soap's process-wide WSDL cache would outlive a sandbox's port.
    disableCache: true,
    wsdl_options: { timeout: settings.timeoutMs },
  };
  if (settings.useBundledWsdl) return createClientAsync(INTERSERVER_WSDL, options);
  const client = await createClientAsync(settings.wsdlUrl, options);
  assertSameContract(client, interserverWsdlModel());
  return client;
}

function assertSameContract(client: Client, model: WsdlModel): void {
  const served = new Map<string, string[]>();
  for (const service of Object.values(client.describe() as Record<string, Record<string, Record<string, { input?: unknown }>>>)) {
    for (const port of Object.values(service)) {
      for (const [op, d] of Object.entries(port)) {
        served.set(op, d.input && typeof d.input === 'object' ? Object.keys(d.input) : []);
      }
    }
  }
  for (const op of model.operations.values()) {
    const expected = op.input.map((p) => p.name);
    const actual = served.get(op.name);
    if (actual && actual.join(',') !== expected.join(',')) {
      throw new VendorRejectedError(
        `InterServer WSDL changed: ${op.name} takes (${actual.join(', ')}), procure expects (${expected.join(', ')}); refusing to send positional arguments`,
      );
    }
  }
}

/**
 * One SOAP call with arguments already in WSDL order (ordered-args.ts), the configured timeout,
 * and the single `return` part unwrapped to plain values.
 */
export async function invokeOperation(client: Client, op: WsdlOperation, args: Record<string, unknown> | null, timeoutMs: number): Promise<Unwrapped> {
  const method = client[`${op.name}Async`] as ((args: unknown, options: unknown) => Promise<[unknown, ...unknown[]]>) | undefined;
  if (typeof method !== 'function') throw new VendorRejectedError(`InterServer WSDL has no operation ${op.name}`);
  const [result] = await method.call(client, args, { timeout: timeoutMs });
  const returnPart = op.output[0]?.name ?? 'return';
  const body = result as Record<string, unknown> | null | undefined;
  return unwrapSoap(body && typeof body === 'object' ? body[returnPart] : undefined);
}
