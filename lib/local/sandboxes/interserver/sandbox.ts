import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerTooLarge, BodyTooLargeError } from '../../http-body';
import { FaultInjector, type FaultPlan } from '../faults';
import { faultEnvelope } from './soap-envelope';
import { handleRequest, SOAP_PATH } from './server';
import { InterserverSandboxState } from './state';

/** Options of {@link startInterserverSandbox}; every one has a documented default. */
export interface InterserverSandboxOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** @default "procure" */
  username?: string;
  /** @default "sandbox-password" */
  password?: string;
  /** Accepted by api_login instead of the password (§1). @default "sandbox-api-key" */
  apiKey?: string;
  /** PrePay balance of the licenses module, USD. @default 0 */
  prepay?: number;
  /**
   * Idle seconds after which a session id is rejected with "Invalid Session ID". The real TTL is
   * UNVERIFIED (§5); 1800 (30 minutes, a common web-session idle timeout) is the sandbox's choice.
   * @default 1800
   */
  sessionIdleSeconds?: number;
  /** Start with the account locked ("Locked Account."). @default false */
  locked?: boolean;
  faults?: FaultPlan;
  /**
   * How many of the latest requests `state.requests` keeps (tests count calls with it), so a
   * long-running sandbox, as `npm start` runs one, does not keep every request it ever answered.
   * @default 10,000
   */
  keptRequests?: number;
}

export interface InterserverSandbox {
  /** The WSDL URL, ending in `?wsdl`, e.g. http://127.0.0.1:PORT/api.php?wsdl */
  url: string;
  /** The SOAP endpoint (the WSDL URL without `?wsdl`). */
  endpoint: string;
  port: number;
  close(): Promise<void>;
  /** Fault injection, also reachable at POST/DELETE /__admin/faults. */
  faults: FaultInjector;
  /** Licenses, invoices, account (prepay, locked) and the received requests, for tests. */
  state: InterserverSandboxState;
}

/** The documented defaults of {@link InterserverSandboxOptions}. */
export const SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  username: 'procure',
  password: 'sandbox-password',
  apiKey: 'sandbox-api-key',
  prepay: 0,
  sessionIdleSeconds: 1800,
  keptRequests: 10_000,
} as const;

/**
 * Starts an InterServer SOAP sandbox on loopback that answers like the real NuSOAP server
 * (interserver-soap.md §1, §4-§8): WSDL at `GET /api.php?wsdl`, SOAP 1.1 rpc/encoded at
 * `POST /api.php`, admin endpoints `/__admin/faults`, `/__admin/account` (POST {prepay, locked})
 * and `GET /__admin/state`.
 */
export async function startInterserverSandbox(opts: InterserverSandboxOptions = {}): Promise<InterserverSandbox> {
  const host = opts.host ?? SANDBOX_DEFAULTS.host;
  const state = new InterserverSandboxState(
    {
      username: opts.username ?? SANDBOX_DEFAULTS.username,
      password: opts.password ?? SANDBOX_DEFAULTS.password,
      apiKey: opts.apiKey ?? SANDBOX_DEFAULTS.apiKey,
      prepay: opts.prepay ?? SANDBOX_DEFAULTS.prepay,
      locked: opts.locked ?? false,
    },
    (opts.sessionIdleSeconds ?? SANDBOX_DEFAULTS.sessionIdleSeconds) * 1000,
    opts.keptRequests ?? SANDBOX_DEFAULTS.keptRequests,
  );
  const faults = new FaultInjector(opts.faults);
  const ctx = { state, faults, endpoint: '' };

  const server = createServer((req, res) => {
    handleRequest(ctx, req, res).catch((e: unknown) => {
      if (e instanceof BodyTooLargeError && !res.headersSent)
        return answerTooLarge(res, faultEnvelope('SOAP-ENV:Client', e.message), { 'content-type': 'text/xml; charset=ISO-8859-1' });
      // An emulator bug: answer like NuSOAP does when PHP's return cannot be serialized (§4).
      if (res.headersSent || res.destroyed) return;
      const body = faultEnvelope('SOAP-ENV:Server', `unable to serialize result: ${e instanceof Error ? e.message : String(e)}`);
      res.writeHead(500, { 'Content-Type': 'text/xml; charset=ISO-8859-1' }).end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}${SOAP_PATH}`;
  ctx.endpoint = endpoint;

  return {
    url: `${endpoint}?wsdl`,
    endpoint,
    port,
    faults,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
