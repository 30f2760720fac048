import { VendorRejectedError, VendorTransientError, type ProcureError } from '../../../core/errors';
import { scrubSecrets } from '../../../shared/redact';
import { unwrapSoap } from './unwrap';

/**
 * Maps what node-soap / axios throw to procure errors. SOAP faults, HTTP 5xx, resets, refusals and
 * timeouts are VendorTransientError: the call may or may not have taken effect (a NuSOAP "unable
 * to serialize result" fault, interserver-soap.md §4, is raised AFTER the PHP function ran). A 4xx
 * without a SOAP body is a VendorRejectedError (wrong endpoint; repeating will not help).
 *
 * The original error is never attached: axios errors carry the request config, whose body holds
 * the password for api_login. Messages are built from a few known fields and then scrubbed of the
 * given secrets, in case a server echoes them.
 */
export function transportError(operation: string, err: unknown, secrets: readonly string[]): ProcureError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    message?: unknown;
    code?: unknown;
    root?: { Envelope?: { Body?: { Fault?: unknown } } };
    response?: { status?: unknown };
  };
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  const fault = e.root?.Envelope?.Body?.Fault;
  // Messages are scrubbed before the error exists, so its stack header never held a secret.
  const make = (Kind: new (m: string) => ProcureError, message: string) => new Kind(scrubSecrets(message, secrets));
  if (fault !== undefined) {
    const f = unwrapSoap(fault) as { faultcode?: unknown; faultstring?: unknown };
    return make(VendorTransientError, `InterServer ${operation}: SOAP fault ${String(f.faultcode ?? '')}: ${String(f.faultstring ?? '')}`);
  }
  if (status !== undefined && status >= 400 && status < 500) return make(VendorRejectedError, `InterServer ${operation}: HTTP ${status}`);
  if (status !== undefined && status !== 200) return make(VendorTransientError, `InterServer ${operation}: HTTP ${status}`);
  const code = typeof e.code === 'string' ? `${e.code} ` : '';
  const detail = typeof e.message === 'string' ? e.message.split('\n')[0] : String(err);
  return make(VendorTransientError, `InterServer ${operation}: ${code}${detail}`.trim());
}
