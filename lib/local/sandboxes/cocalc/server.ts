import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerTooLarge, BodyTooLargeError } from '../../http-body';
import { FaultInjector, type FaultPlan } from '../faults';
import { ADMIN_ACCOUNTS_PATH, handleAdminAccounts } from './admin';
import { apiKeyFromAuthorization } from './auth';
import type { EndpointContext } from './endpoint';
import { readParams, sendJson, sendNotFound, sendText } from './http-json';
import { ROUTES } from './routes';
import { SandboxState, type AddAccountOptions, type SandboxAccount } from './state';
import { AddThrottle, type CocalcThrottleOptions } from './throttle';

/** The seed doc's values (shared/seeds/000_…), so its curl commands run unchanged against the sandbox. */
export const COCALC_SANDBOX_DEFAULTS = {
  apiKey: 'sk_TT9hr4nnotsiUXx0',
  accountId: 'a407cc35-c960-481c-9928-1238c868ff8b',
  email: 'wstein@gmail.com',
  balance: 1000,
} as const;

/** The vendor's path prefix; fault operation names are the paths below it. */
export const API_BASE_PATH = '/api/v2';

/** startCocalcSandbox options; the first account is built from the account fields. */
export interface CocalcSandboxOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The first account's key. @default 'sk_TT9hr4nnotsiUXx0' */
  readonly apiKey?: string;
  /** USD. @default 1000 */
  readonly balance?: number;
  /** @default 0 */
  readonly minBalance?: number;
  /** @default false */
  readonly partner?: boolean;
  /** @default 'wstein@gmail.com' */
  readonly email?: string;
  /** @default 'a407cc35-c960-481c-9928-1238c868ff8b' */
  readonly accountId?: string;
  /** The `shopping/cart/add` throttle (3/s, 15/min, 200/h); false turns it off. @default true */
  readonly throttle?: boolean | CocalcThrottleOptions;
  /** Whether the legacy checkout asks non-partners for a reCaptcha token. @default true */
  readonly captcha?: boolean;
  /** Faults armed from the start (also settable at run time: POST /__admin/faults). */
  readonly faults?: FaultPlan;
  /** The vendor's clock (timestamps, range fixes, license dates, throttle). @default real time */
  readonly now?: () => Date;
}

/** A running sandbox. */
export interface CocalcSandbox {
  /** Base URL, e.g. http://127.0.0.1:PORT/api/v2 */
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  /** Stops listening and drops open connections; a second call does nothing. */
  close(): Promise<void>;
  addAccount(opts?: AddAccountOptions): { apiKey: string; accountId: string };
  /** The live state of an account, by id or key (for tests); throws when there is none. */
  account(accountIdOrKey: string): SandboxAccount;
  /** Calls the `shopping/cart/add` throttle refused with "too many requests" (0 when it is off). */
  rateLimitRejections(): number;
  /** Plays the vendor changing its prices: every site-license line checks out `usd` dearer (0: as §5 says). */
  changeSiteLicensePrice(usd: number): void;
}

/**
 * Starts a CoCalc API v2 sandbox on node:http (cocalc-api-v2.md §8): in-memory accounts, every
 * handled error as HTTP 200 {"error"}, unknown keys anonymous, faults on demand.
 */
export async function startCocalcSandbox(opts: CocalcSandboxOptions = {}): Promise<CocalcSandbox> {
  const state = new SandboxState();
  state.addAccount({
    apiKey: opts.apiKey ?? COCALC_SANDBOX_DEFAULTS.apiKey,
    accountId: opts.accountId ?? COCALC_SANDBOX_DEFAULTS.accountId,
    email: opts.email ?? COCALC_SANDBOX_DEFAULTS.email,
    balance: opts.balance ?? COCALC_SANDBOX_DEFAULTS.balance,
    minBalance: opts.minBalance ?? 0,
    partner: opts.partner ?? false,
  });
  const faults = new FaultInjector(opts.faults);
  const throttle = opts.throttle === false ? undefined : new AddThrottle(opts.throttle === true ? {} : opts.throttle);
  const now = opts.now ?? (() => new Date());
  const captcha = opts.captcha ?? true;

  const world: SandboxWorld = { state, faults, throttle, now, captcha };

  const server = createServer((req, res) => {
    handle(world, req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLargeError && !res.headersSent) return answerTooLarge(res, { error: err.message });
      if (!res.headersSent) sendText(res, 500, `sandbox bug: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}${API_BASE_PATH}`,
    port,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve(); // closing twice is fine
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    addAccount(accountOpts?: AddAccountOptions) {
      const a = state.addAccount(accountOpts);
      return { apiKey: a.apiKey, accountId: a.accountId };
    },
    account(accountIdOrKey: string) {
      const a = state.find(accountIdOrKey);
      if (!a) throw new Error(`no sandbox account ${accountIdOrKey}`);
      return a;
    },
    rateLimitRejections: () => throttle?.rejections ?? 0,
    changeSiteLicensePrice(usd: number) {
      state.siteLicensePriceChangeUsd = usd;
    },
  };
}

/** What every request is answered from: the accounts, the armed faults and the vendor's settings. */
interface SandboxWorld {
  state: SandboxState;
  faults: FaultInjector;
  throttle: AddThrottle | undefined;
  now: () => Date;
  captcha: boolean;
}

/** One request: the admin routes, else a v2 endpoint with the faults armed for it. */
async function handle(world: SandboxWorld, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { state, faults, throttle, now, captcha } = world;
  const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
  if (await faults.handleAdmin(req, res, path)) return;
  if (path === ADMIN_ACCOUNTS_PATH) return handleAdminAccounts(req, res, state);
  const endpoint = path.startsWith(`${API_BASE_PATH}/`) ? path.slice(API_BASE_PATH.length + 1) : '';
  const handler = ROUTES.get(endpoint);
  if (!handler) {
    req.resume();
    return sendNotFound(res);
  }
  const params = await readParams(req);
  if (params === undefined) return sendText(res, 400, 'Invalid JSON'); // UNVERIFIED Next.js text (§2)
  const decision = await faults.before(endpoint, res);
  if (decision.kind === 'handled') return;
  if (decision.kind === 'forced-error') return sendJson(res, 200, { error: decision.message });

  const ctx: EndpointContext = {
    state,
    account: state.byApiKey(apiKeyFromAuthorization(req.headers.authorization)),
    params,
    now: now(),
    throttle,
    captcha,
  };
  let result: unknown;
  let applied = true;
  try {
    result = handler(ctx);
  } catch (err) {
    // Like every v2 handler: try { res.json(result) } catch (err) { res.json({ error: err.message }) } (§2).
    result = { error: err instanceof Error ? err.message : String(err) };
    applied = false;
  }
  const send = () => sendJson(res, 200, result);
  if (applied && (await faults.afterApplied(endpoint, res, send))) return;
  send();
}
