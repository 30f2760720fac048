import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'undici';
import type { PurchaseList } from '../../lambdas/core/purchase-list';
import type { PurchaseQuote } from '../../lambdas/core/quote-purchase';
import type { ResolutionInput, ResolveResult } from '../../lambdas/core/resolve-purchase';
import type { ResendResult } from '../../lambdas/core/resend-approval';
import type { SubmitPurchaseResult } from '../../lambdas/core/submit-purchase';
import type { AuditEntry, PurchaseRecord } from '../../lambdas/core/ports';
import type { NormalizedLicense, PurchaseStatus } from '../../lambdas/core/workflow';
import { DEFAULT_DATA_DIR, readRuntimeInfo } from './runtime-file';
import { LOCAL_CREDENTIALS, readRuntimeCredentials } from '../local/local-credentials';

/**
 * The procure HTTP API as the CLI calls it: `/purchases` and `/licenses` are AWS_IAM routes, so
 * every request is signed with SigV4 (service `execute-api`). Against the local runtime the
 * signature is made with the runtime's per-run credentials from `<dataDir>/credentials.json` (the router checks it);
 * against a deployment, with the default AWS credential chain. Credentials and the Authorization
 * header are never printed or put into error messages.
 */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ApiTarget {
  /** Base URL, stage included for a deployment (`https://<id>.execute-api.<region>.amazonaws.com/prod`). */
  apiUrl: string;
  region: string;
  credentials: Credentials | (() => Promise<Credentials>);
  /** True for a local runtime (loopback), false for a deployment. */
  local: boolean;
  /** EventBridge endpoint of a local runtime (from runtime.json); absent for a deployment. */
  eventsEndpoint?: string;
  /** Source and bus of the local runtime's purchase-request rule (from runtime.json). */
  requestSource?: string;
  requestBus?: string;
}

/** What GET /purchases/{id} returns. */
export type PurchaseView = Partial<PurchaseRecord> & {
  purchaseId: string;
  status?: PurchaseStatus;
  audit: Array<Omit<AuditEntry, 'purchaseId'>>;
};

/** A non-2xx answer of the API, with its message (and reasons for a 400). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The API's `reasons` (a 400 for an invalid request lists every problem). */
  get reasons(): string[] {
    const r = (this.body as { reasons?: unknown } | null)?.reasons;
    return Array.isArray(r) ? r.map(String) : [];
  }
}

/**
 * The local runtime's per-run credentials, read from `<dataDir>/credentials.json` (0600, written by
 * the runtime at start) when first needed; no AWS SDK client is loaded for them. `fallback` (an
 * explicit loopback --api with no such file) signs with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
 * when both are set, else with the fixed local credentials.
 */
function localCredentials(dataDir: string, fallback = false): () => Promise<Credentials> {
  return async () => {
    try {
      return readRuntimeCredentials(dataDir);
    } catch (err) {
      if (!fallback) throw err;
      // A runtime with no data dir of its own (in memory) hands its credentials over as AWS_* variables.
      const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
      return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : { ...LOCAL_CREDENTIALS };
    }
  };
}

/** The default AWS provider chain (env, SSO, shared files, container, instance metadata), loaded on first use. */
function defaultChainCredentials(): () => Promise<Credentials> {
  let provider: Promise<() => Promise<Credentials>> | undefined;
  return async () => {
    provider ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
    try {
      return await (await provider)();
    } catch (err) {
      throw new Error(`no AWS credentials for the API (${(err as Error).message}); configure a profile or AWS_* variables`);
    }
  };
}

export function isLoopbackUrl(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname);
}

/** `https://abc.execute-api.eu-west-1.amazonaws.com/prod` -> eu-west-1. */
export function regionOfApiUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}

function parseApiUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--api must be a URL like https://<id>.execute-api.<region>.amazonaws.com/prod, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--api must be an http(s) URL, got "${text}"`);
  return url;
}

/**
 * Where a network command talks to: `--api <url>` when given, else the local runtime recorded in
 * `<dataDir>/runtime.json` (an error telling to run `npm start` when none is running).
 */
export function resolveApiTarget(options: { api?: string | undefined; dataDir?: string | undefined }): ApiTarget {
  const env = process.env;
  if (options.api) {
    const url = parseApiUrl(options.api);
    const apiUrl = url.href.replace(/\/+$/, '');
    if (isLoopbackUrl(url)) {
      return {
        apiUrl,
        region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
        credentials: localCredentials(options.dataDir ?? DEFAULT_DATA_DIR, true),
        local: true,
      };
    }
    const region = regionOfApiUrl(url) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error(`cannot tell the AWS region of ${apiUrl}: set AWS_REGION`);
    return { apiUrl, region, credentials: defaultChainCredentials(), local: false };
  }
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const info = readRuntimeInfo(dataDir);
  return {
    apiUrl: info.apiUrl.replace(/\/+$/, ''),
    region: info.region ?? 'us-east-1',
    credentials: localCredentials(dataDir),
    local: true,
    ...(info.eventsEndpoint ? { eventsEndpoint: info.eventsEndpoint } : {}),
    ...(info.requestSource ? { requestSource: info.requestSource } : {}),
    ...(info.requestBus ? { requestBus: info.requestBus } : {}),
  };
}

export class ProcureApi {
  private readonly signer: SignatureV4;

  constructor(readonly target: ApiTarget) {
    this.signer = new SignatureV4({ service: 'execute-api', region: target.region, credentials: target.credentials, sha256: Sha256 });
  }

  /** One signed request; resolves with any status (callers decide), rejects on network errors. */
  async call(
    method: 'GET' | 'POST',
    path: string,
    options: { query?: Record<string, string>; body?: unknown } = {},
  ): Promise<{ status: number; body: unknown }> {
    const base = new URL(this.target.apiUrl);
    const url = new URL(`${base.pathname.replace(/\/+$/, '')}${path}`, base.origin);
    const query = options.query ?? {};
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { host: url.host, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, { method, headers: signed.headers, ...(body !== undefined ? { body } : {}), headersTimeout: 60_000, bodyTimeout: 60_000 });
    } catch (err) {
      const e = err as Error & { code?: string };
      throw new Error(
        `cannot reach the procure API at ${this.target.apiUrl} (${e.code ?? e.message})${this.target.local ? ": is 'npm start' still running?" : ''}`,
      );
    }
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text (an HTML error page, say)
    }
    return { status: res.statusCode, body: parsed };
  }

  /** POST /purchases: 202 new, 200 a repeated requestId. Throws ApiError otherwise. */
  async submitPurchase(body: unknown): Promise<SubmitPurchaseResult & { httpStatus: number }> {
    const res = await this.call('POST', '/purchases', { body });
    const value = expectOk(res, 'POST /purchases') as SubmitPurchaseResult;
    return { ...value, httpStatus: res.status };
  }

  /** GET /purchases/{id}: the purchase with its audit trail. */
  async getPurchase(purchaseId: string): Promise<PurchaseView> {
    const res = await this.call('GET', `/purchases/${encodeURIComponent(purchaseId)}`);
    return expectOk(res, `GET /purchases/${purchaseId}`) as PurchaseView;
  }

  /**
   * POST /purchases/{id}/resolution: a person's finding on a NEEDS_ATTENTION purchase. Throws
   * ApiError otherwise (404 unknown, 409 not in NEEDS_ATTENTION or resolved differently).
   */
  async resolvePurchase(purchaseId: string, resolution: ResolutionInput): Promise<ResolveResult> {
    const res = await this.call('POST', `/purchases/${encodeURIComponent(purchaseId)}/resolution`, { body: resolution });
    return expectOk(res, `POST /purchases/${purchaseId}/resolution`) as ResolveResult;
  }

  /** POST /purchases/{id}/approvals/resend: fresh approval links to everyone asked so far (429 when too soon). */
  async resendApproval(purchaseId: string): Promise<ResendResult> {
    const res = await this.call('POST', `/purchases/${encodeURIComponent(purchaseId)}/approvals/resend`);
    return expectOk(res, `POST /purchases/${purchaseId}/approvals/resend`) as ResendResult;
  }

  /**
   * POST /quotes: the price, the month's budget left and the approval a request would need;
   * nothing is reserved. Throws ApiError otherwise (400 lists every reason it would be refused).
   */
  async quote(body: unknown): Promise<PurchaseQuote> {
    return expectOk(await this.call('POST', '/quotes', { body }), 'POST /quotes') as PurchaseQuote;
  }

  /** GET /purchases: one page, newest first (`nextToken` when there is more). */
  async listPurchases(query: { status?: string; since?: string; limit?: number; nextToken?: string } = {}): Promise<PurchaseList> {
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q[k] = String(v);
    return expectOk(await this.call('GET', '/purchases', { query: q }), 'GET /purchases') as PurchaseList;
  }

  /** GET /licenses (both vendors unless one is named). */
  async listLicenses(vendor?: string): Promise<NormalizedLicense[]> {
    const res = await this.call('GET', '/licenses', vendor ? { query: { vendor } } : {});
    return (expectOk(res, 'GET /licenses') as { licenses: NormalizedLicense[] }).licenses;
  }
}

function expectOk(res: { status: number; body: unknown }, what: string): unknown {
  if (res.status >= 200 && res.status < 300) return res.body;
  const b = res.body as { message?: unknown; Message?: unknown } | string | undefined;
  const message = typeof b === 'object' && b !== null ? String(b.message ?? b.Message ?? JSON.stringify(b)) : String(b ?? '').slice(0, 200);
  const hint = res.status === 403 ? ' (check the AWS credentials and that the URL includes the stage, e.g. /prod)' : '';
  throw new ApiError(res.status, res.body, `${what} answered ${res.status}: ${message}${hint}`);
}
