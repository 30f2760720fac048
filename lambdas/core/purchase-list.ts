import { InvalidRequestError } from './errors';
import type { PurchaseIndex, PurchasePage, PurchaseRecord } from './ports';
import { PURCHASE_STATUSES, type PurchaseStatus } from './workflow';

/**
 * GET /purchases (issue #13 §5), pure: the query it accepts, the page token it hands out, the
 * order purchases are listed in, and what each listed purchase shows (who still has to decide).
 */

/** Page sizes: what a page holds unless `limit` says otherwise, and the most it may ask for. */
export const PURCHASE_LIST_LIMIT = { default: 25, max: 100 } as const;

/** A validated GET /purchases query. */
export interface PurchaseListQuery {
  status?: PurchaseStatus;
  /** Canonical ISO time: purchases created at or after it. */
  since?: string;
  limit: number;
  /** Where this page starts: a {@link listPosition} from the previous page's token. */
  after?: string;
}

/** One purchase as GET /purchases lists it. */
export interface PurchaseListItem {
  purchaseId: string;
  requestId: string;
  status: PurchaseStatus;
  vendor: PurchaseRecord['vendor'];
  /** The quote, once there is one. */
  amountUsd?: number;
  requester?: { name: string; email: string };
  createdAt: string;
  updatedAt: string;
  /** Whole seconds since createdAt, at the time of the answer. */
  ageSeconds: number;
  /** Who still has to decide: everyone whose approval link is open (AWAITING_APPROVAL), else none. */
  pendingApprovers: string[];
  /** When those links stop working. */
  approvalExpiresAt?: string;
  /** A round needing several approvals: how many are still missing, and who has approved. */
  approvalsNeeded?: number;
  approvedBy?: string[];
  /** NEEDS_ATTENTION and nobody has recorded what they found at the vendor yet (`procure resolve`). */
  needsResolution: boolean;
}

export interface PurchaseList {
  purchases: PurchaseListItem[];
  /** Pass back as `nextToken` for the next page; absent on the last page. */
  nextToken?: string;
}

const QUERY_KEYS = ['status', 'since', 'limit', 'nextToken'] as const;

/** `2026-07-01`, or a date-time with seconds optional and a zone (`Z` or `+02:00`). */
const SINCE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `<createdAt, canonical ISO>#<purchaseId>`: a purchase's unique place in the listing. */
const POSITION_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9-]{1,80}$/;

/**
 * A purchase's place in the listing: its creation time, then its id to order purchases created in
 * the same millisecond. Also the sort key the state table's index stores (createdSeq).
 */
export function listPosition(record: Pick<PurchaseRecord, 'createdAt' | 'purchaseId'>): string {
  return `${record.createdAt}#${record.purchaseId}`;
}

/** The page token for a position: opaque to callers, so the listing may change what it holds. */
export function encodePageToken(position: string): string {
  return Buffer.from(JSON.stringify({ after: position }), 'utf8').toString('base64url');
}

/** The position a page token carries, or undefined when it is not one {@link encodePageToken} made. */
export function decodePageToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(token)) return undefined;
  try {
    const after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown } | null)?.after;
    return typeof after === 'string' && POSITION_PATTERN.test(after) ? after : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates GET /purchases' query string. Throws InvalidRequestError naming every bad parameter
 * (an unknown one too: a misspelt `?stauts=` must not silently list everything).
 */
export function parsePurchaseListQuery(params: Record<string, string | undefined> | null | undefined): PurchaseListQuery {
  const p = params ?? {};
  const issues: string[] = [];
  for (const key of Object.keys(p)) {
    if (!(QUERY_KEYS as readonly string[]).includes(key)) issues.push(`${key}: unknown query parameter (allowed: ${QUERY_KEYS.join(', ')})`);
  }
  const query: PurchaseListQuery = { limit: PURCHASE_LIST_LIMIT.default };

  if (p.status !== undefined) {
    if ((PURCHASE_STATUSES as readonly string[]).includes(p.status)) query.status = p.status as PurchaseStatus;
    else issues.push(`status: must be one of ${PURCHASE_STATUSES.join(', ')}, not ${JSON.stringify(p.status.slice(0, 40))}`);
  }
  if (p.since !== undefined) {
    const ms = SINCE_PATTERN.test(p.since) ? Date.parse(p.since.length === 10 ? `${p.since}T00:00:00Z` : p.since) : NaN;
    if (Number.isFinite(ms)) query.since = new Date(ms).toISOString();
    else issues.push(`since: must be a date (2026-07-01) or an ISO date-time with a zone (2026-07-01T09:30:00Z), not ${JSON.stringify(p.since.slice(0, 40))}`);
  }
  if (p.limit !== undefined) {
    const n = /^\d{1,4}$/.test(p.limit) ? Number(p.limit) : NaN;
    if (n >= 1 && n <= PURCHASE_LIST_LIMIT.max) query.limit = n;
    else issues.push(`limit: must be a whole number from 1 to ${PURCHASE_LIST_LIMIT.max}, not ${JSON.stringify(p.limit.slice(0, 40))}`);
  }
  if (p.nextToken !== undefined) {
    const after = decodePageToken(p.nextToken);
    if (after) query.after = after;
    else issues.push('nextToken: not a token this API handed out (pass back the nextToken of the previous page unchanged)');
  }
  if (issues.length) throw new InvalidRequestError(`invalid query: ${issues.join('; ')}`, issues);
  return query;
}

/**
 * Merges pages of the same listing taken from several partitions (one per status), each newest
 * first and each holding more than `limit` records when it has more: the first `limit` of the
 * merge are then the first `limit` overall, and `next` is set when anything is left.
 */
export function newestFirst(pages: ReadonlyArray<readonly PurchaseRecord[]>, limit: number): PurchasePage {
  const all = pages.flat().map((record) => ({ record, position: listPosition(record) }));
  all.sort((a, b) => (a.position < b.position ? 1 : a.position > b.position ? -1 : 0));
  const page = all.slice(0, limit);
  const last = page.at(-1);
  return { records: page.map((x) => x.record), ...(all.length > limit && last ? { next: last.position } : {}) };
}

/** What the listing shows of one purchase at `now`. */
export function toListItem(record: PurchaseRecord, now: Date): PurchaseListItem {
  const awaiting = record.status === 'AWAITING_APPROVAL' && record.pendingApproval;
  const created = Date.parse(record.createdAt);
  return {
    purchaseId: record.purchaseId,
    requestId: record.requestId,
    status: record.status,
    vendor: record.vendor,
    ...(record.amountUsd !== undefined ? { amountUsd: record.amountUsd } : {}),
    ...(record.requester ? { requester: { name: record.requester.name, email: record.requester.email } } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ageSeconds: Number.isFinite(created) ? Math.max(0, Math.floor((now.getTime() - created) / 1000)) : 0,
    pendingApprovers: awaiting ? [...awaiting.approvers] : [],
    ...(awaiting ? { approvalExpiresAt: awaiting.expiresAt } : {}),
    ...(awaiting && awaiting.approvalsNeeded !== undefined ? { approvalsNeeded: awaiting.approvalsNeeded, approvedBy: [...(awaiting.approvedBy ?? [])] } : {}),
    needsResolution: record.status === 'NEEDS_ATTENTION' && !record.resolution,
  };
}

/** One page of GET /purchases. */
export async function listPurchases(index: PurchaseIndex, query: PurchaseListQuery, now: Date): Promise<PurchaseList> {
  const page = await index.list({
    limit: query.limit,
    ...(query.status ? { status: query.status } : {}),
    ...(query.since ? { since: query.since } : {}),
    ...(query.after ? { after: query.after } : {}),
  });
  return {
    purchases: page.records.map((r) => toListItem(r, now)),
    ...(page.next ? { nextToken: encodePageToken(page.next) } : {}),
  };
}
