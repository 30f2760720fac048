import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { INTERSERVER_STATES } from '../../lambdas/vendors/interserver/core/states';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { request } from 'undici';
import { COCALC_SANDBOX_DEFAULTS, type SandboxAccount } from '../../lib/local/sandboxes/cocalc';
import { startLocalRuntime, type BusEvent, type LocalRuntime, type LocalRuntimeOptions, type OutboxMail } from '../../lib/local';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { purchaseKey } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { utcDay, utcMonth } from '../../lambdas/adapters/aws/spend-guard-items';
import type { AuditEntry } from '../../lambdas/core/ports';
import type { Vendor } from '../../lambdas/core/purchase-request';
import { EVENTS, purchaseIdFor, STATE } from '../../lambdas/core/workflow';
import { ENV } from '../../lambdas/shared/env-names';
import { STATE_TABLE } from '../../lambdas/shared/table-keys';
import { pageText } from '../../lib/cli/approval-client';
import { approvalLinkOf } from '../../lib/cli/runtime-report';
import { TEST_KEPT_IN_MEMORY } from './kept-in-memory';
import { PROJECT_DIR } from './project-dir';
import { runtimeDocClient, runtimeTable } from './runtime-tables';
import { waitFor } from './wait';
import { signedApiHeaders } from './sign-request';

/**
 * The procure stack on the local runtime, driven from outside the way a user and an operator do:
 * events in, signed API calls, approval links from the outbox, and state read back from the
 * runtime's DynamoDB endpoint and the vendor sandboxes. Shared by test/e2e/workflow-*.test.ts.
 */

/**
 * Retry waits of the synthesized machine shortened to a few ms, per state (aws-local-stepfunctions
 * `retryIntervalOverrides`): the retry POLICY stays the template's, only the waiting is cut.
 */
const FAST_RETRIES: Record<string, number> = Object.fromEntries(
  [
    STATE.PreparePurchase,
    COCALC_STATES.AddToCart,
    STATE.RequestApproval,
    COCALC_STATES.Checkout,
    INTERSERVER_STATES.BuyLicense,
    STATE.VerifyLicense,
    STATE.RecordCompleted,
    STATE.RecordNotCompleted,
  ].map((s) => [s, 50]),
);

export interface E2e {
  rt: LocalRuntime;
  /** Every line the runtime and the handlers printed. */
  logs: string[];
  doc: DynamoDBDocumentClient;
  auditTable: string;
  stateTable: string;
  /** procure's own audit adapter on the audit table (reads only, in tests). */
  audit: DynamoAuditLog;
  close(): Promise<void>;
}

/**
 * Starts procure's own stack on loopback, in memory. Defaults for tests: fast retries, a daily
 * limit that many purchases fit under, no CoCalc add throttle, every log line kept.
 */
export async function startProcure(options: LocalRuntimeOptions = {}): Promise<E2e> {
  const logs: string[] = [];
  const sandboxes = options.sandboxes;
  const rt = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    inMemory: true,
    synth: 'auto',
    eventRetryDelaysMs: [50, 100],
    keptInMemory: TEST_KEPT_IN_MEMORY,
    ...options,
    configOverrides: { [ENV.DAILY_PURCHASE_LIMIT]: '100', ...options.configOverrides },
    stateMachineOverrides: {
      ...options.stateMachineOverrides,
      retryIntervalOverrides: { ...FAST_RETRIES, ...options.stateMachineOverrides?.retryIntervalOverrides },
    },
    sandboxes:
      sandboxes === false
        ? false
        : {
            ...sandboxes,
            cocalc: sandboxes?.cocalc === false ? false : { throttle: false, ...sandboxes?.cocalc },
            interserver: sandboxes?.interserver ?? {},
          },
    log: (line) => {
      logs.push(line);
      options.log?.(line);
    },
  });
  return e2eHandle(rt, logs);
}

/** A started runtime with the tables and audit reader the tests and the bench read state through. */
export function e2eHandle(rt: LocalRuntime, logs: string[]): E2e {
  const { doc, destroy } = runtimeDocClient(rt, 2);
  const auditTable = runtimeTable(rt, 'AuditTable');
  return {
    rt,
    logs,
    doc,
    auditTable,
    stateTable: runtimeTable(rt, 'StateTable'),
    audit: new DynamoAuditLog(doc, auditTable),
    close: async () => {
      destroy();
      await rt.close();
    },
  };
}

export { waitFor };

// ---- the API ---------------------------------------------------------------------------------

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary JSON
}

/** Calls the local API with a SigV4 signature (the purchase and license routes need one). */
export async function callApi(
  rt: LocalRuntime,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  options: { signed?: boolean; rawBody?: string; contentType?: string } = {},
): Promise<ApiResponse> {
  let headers: Record<string, string> = {};
  const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  // Signed with the runtime's per-run credentials: the router checks the signature of IAM routes.
  if (options.signed !== false)
    headers = await signedApiHeaders(rt, method, `${rt.apiUrl}${path}`, { headers, ...(payload !== undefined ? { body: payload } : {}) });
  const res = await request(`${rt.apiUrl}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** POST /purchases. */
export function postPurchase(rt: LocalRuntime, body: unknown): Promise<ApiResponse> {
  return callApi(rt, 'POST', '/purchases', body);
}

/** GET /purchases/{id}: status and audit trail. */
export function getPurchase(rt: LocalRuntime, purchaseId: string): Promise<ApiResponse> {
  return callApi(rt, 'GET', `/purchases/${encodeURIComponent(purchaseId)}`);
}

/** Puts one "License Purchase Requested" event on the bus. */
export async function sendRequestEvent(rt: LocalRuntime, detail: unknown): Promise<void> {
  const r = await rt.putEvents([
    {
      Source: EVENTS.defaultRequestSource,
      DetailType: EVENTS.requested,
      Detail: typeof detail === 'string' ? detail : JSON.stringify(detail),
    },
  ]);
  if (r.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(r.Entries)}`);
}

export { purchaseIdFor };

// ---- state read back -------------------------------------------------------------------------

/** The purchase's audit trail, oldest first, straight from the audit table (procure's adapter). */
export function auditTrail(e2e: E2e, purchaseId: string): Promise<AuditEntry[]> {
  return e2e.audit.list(purchaseId);
}

/** One state-table item by its raw key. */
async function stateItemAt(e2e: E2e, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const r = await e2e.doc.send(new GetCommand({ TableName: e2e.stateTable, Key: key, ConsistentRead: true }));
  return r.Item;
}

/** One state-table item. */
export function stateItem(e2e: E2e, pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  return stateItemAt(e2e, { [STATE_TABLE.partitionKey]: pk, [STATE_TABLE.sortKey]: sk });
}

/** The purchase's current record (PURCHASE#<id> / META). */
export function purchaseRecord(e2e: E2e, purchaseId: string): Promise<Record<string, unknown> | undefined> {
  return stateItemAt(e2e, purchaseKey(purchaseId));
}

/** The purchase's spend-guard reservation (RESERVATION#<id>). */
export function reservation(e2e: E2e, purchaseId: string): Promise<Record<string, unknown> | undefined> {
  return stateItem(e2e, `RESERVATION#${purchaseId}`, 'RESERVATION');
}

/** The vendor's monthly budget counter this month: total cents held and each purchase's share. */
export async function budgetCounter(e2e: E2e, vendor: Vendor, at = new Date()): Promise<{ reservedCents: number; holders: Record<string, number> }> {
  const item = await stateItem(e2e, `BUDGET#${vendor}#${utcMonth(at)}`, 'BUDGET');
  const holders: Record<string, number> = {};
  for (const [k, v] of Object.entries(item ?? {})) if (k.startsWith('p_')) holders[k.slice(2)] = v as number;
  return { reservedCents: (item?.reservedCents as number | undefined) ?? 0, holders };
}

/** The day's purchase counter (DAILY#<day>). */
export async function dailyCount(e2e: E2e, at = new Date()): Promise<number> {
  const item = await stateItem(e2e, `DAILY#${utcDay(at)}`, 'DAILY');
  return (item?.purchaseCount as number | undefined) ?? 0;
}

/** Every item of a table (the tables stay small in tests). */
export async function scanTable(e2e: E2e, table: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await e2e.doc.send(new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Events procure itself emitted (source procure.workflow), optionally for one purchase. */
export function workflowEvents(rt: LocalRuntime, purchaseId?: string): BusEvent[] {
  return rt.emittedEvents.filter(
    (e) => e.source === EVENTS.workflowSource && (purchaseId === undefined || (e.detail as { purchaseId?: string }).purchaseId === purchaseId),
  );
}

/** Reads a secret value through the runtime's Secrets Manager endpoint, by the env variable naming it. */
export async function secretValue(rt: Pick<LocalRuntime, 'envOf' | 'clientConfig'>, functionId: string, envName: string): Promise<string> {
  const arn = rt.envOf(functionId)[envName];
  if (!arn) throw new Error(`${functionId} has no ${envName}`);
  const client = new SecretsManagerClient({ ...rt.clientConfig('aws'), maxAttempts: 1 });
  try {
    const r = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!r.SecretString) throw new Error(`secret ${arn} has no string value`);
    return r.SecretString;
  } finally {
    client.destroy();
  }
}

/** The CoCalc sandbox's account procure buys with (its live state: cart, licenses, balance). */
export function cocalcAccountOf(e2e: E2e): SandboxAccount {
  const sandbox = e2e.rt.sandboxes.cocalc;
  if (!sandbox) throw new Error('the CoCalc sandbox is not running');
  return sandbox.account(COCALC_SANDBOX_DEFAULTS.accountId);
}

// ---- approvals -------------------------------------------------------------------------------

/**
 * The approval mail of a purchase and its link, found through the APPROVAL_SENT audit entry (which
 * names the approval ids) and the outbox (the link carries the id). Waits for both.
 */
export async function approvalMailFor(
  e2e: E2e,
  purchaseId: string,
  round = 1,
  timeoutMs = 60_000,
): Promise<{ mail: OutboxMail; link: string; approvalId: string }> {
  const ids = await waitFor(
    `approval round ${round} of ${purchaseId}`,
    async () => {
      const sent = (await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'APPROVAL_SENT');
      return (sent[round - 1]?.detail?.approvalIds as string[] | undefined) ?? undefined;
    },
    timeoutMs,
  );
  const approvalId = ids[0]!;
  // The link procure put in the mail's header, never one parsed out of the body (requester text).
  const mail = await waitFor(`the approval mail of ${purchaseId}`, () => e2e.rt.mails.find((m) => approvalLinkOf(m)?.includes(`/approvals/${approvalId}?`)));
  const link = approvalLinkOf(mail)!;
  return { mail, link, approvalId };
}

export interface PageResponse {
  status: number;
  /** The page as text, tags stripped. */
  text: string;
  html: string;
}

/** GET of an approval link, as a mail client or browser opens it. */
export async function openLink(link: string): Promise<PageResponse> {
  const res = await request(link, { method: 'GET' });
  const html = await res.body.text();
  return { status: res.statusCode, html, text: pageText(html) };
}

/** POST of the approval form for `link` with the given fields (no GET first: a replayed or forged submit). */
export async function postDecision(link: string, fields: Record<string, string>): Promise<PageResponse> {
  const u = new URL(link);
  const res = await request(`${u.origin}${u.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'e2e-approver' },
    body: new URLSearchParams(fields).toString(),
  });
  const html = await res.body.text();
  return { status: res.statusCode, html, text: pageText(html) };
}

/**
 * What an approver does: opens the link (confirm page), then submits the page's one form with the
 * chosen button and an optional comment. The form's action and hidden signature are read from the
 * page itself, so this breaks if the page stops offering them.
 */
export async function decide(link: string, decision: 'approve' | 'reject', comment?: string): Promise<PageResponse> {
  const page = await openLink(link);
  if (page.status !== 200) throw new Error(`the confirm page answered ${page.status}: ${page.text}`);
  const action = /<form method="post" action="([^"]+)">/.exec(page.html)?.[1];
  const sig = /<input type="hidden" name="sig" value="([^"]+)">/.exec(page.html)?.[1];
  if (!action || !sig) throw new Error(`the confirm page has no decision form: ${page.text}`);
  if (!page.html.includes(`name="decision" value="${decision}"`)) throw new Error(`the confirm page has no ${decision} button`);
  const target = new URL(action.replace(/&amp;/g, '&'), link);
  return postDecision(target.toString(), { sig: sig.replace(/&amp;/g, '&'), decision, ...(comment !== undefined ? { comment } : {}) });
}

/**
 * The approval mail this runtime sent for the purchase (a purchase that went on after a restart
 * had its first round mailed by the runtime before: that round's links died with it).
 */
export async function approvalMailOfThisRun(e2e: E2e, purchaseId: string, timeoutMs = 60_000): Promise<{ mail: OutboxMail; link: string; approvalId: string }> {
  const round = await waitFor(
    `an approval mail of ${purchaseId} from this runtime`,
    async () => {
      const sent = (await auditTrail(e2e, purchaseId)).filter((a) => a.type === 'APPROVAL_SENT');
      const i = sent.findIndex((a) =>
        e2e.rt.mails.some((m) => approvalLinkOf(m)?.includes(`/approvals/${(a.detail?.approvalIds as string[] | undefined)?.[0]}?`)),
      );
      return i >= 0 ? i + 1 : undefined;
    },
    timeoutMs,
  );
  return approvalMailFor(e2e, purchaseId, round, timeoutMs);
}

/** Finds the purchase's approval mail and decides it through the link. */
export async function decidePurchase(e2e: E2e, purchaseId: string, decision: 'approve' | 'reject', comment?: string): Promise<PageResponse> {
  const { link } = await approvalMailFor(e2e, purchaseId);
  return decide(link, decision, comment);
}

/**
 * The longest prefix of `expected` that occurs in `types` in order (other entries may come
 * between): `expect(inOrder(types, want)).toEqual(want)` shows which step is missing.
 */
export function inOrder(types: readonly string[], expected: readonly string[]): string[] {
  let i = 0;
  for (const t of types) if (t === expected[i]) i += 1;
  return expected.slice(0, i);
}

/**
 * Per-test timeout of the e2e files: a purchase takes a few seconds, but the first one in a runtime
 * cold-starts every function, and a loaded two-core machine can stretch that several times.
 */
export const E2E_TEST_TIMEOUT_MS = 120_000;
