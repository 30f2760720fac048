import { createHash, randomUUID } from 'node:crypto';
import { InvalidRequestError, RequestConflictError } from './errors';
import type { AuditEntryInput, AuditLog, AuditOnce, PurchaseRecord, PurchaseStore, WorkflowStarter } from './ports';
import { openStep, type StepJournal } from './purchase-journal';
import { capReasons, capText, MAX_MESSAGE_CHARS } from './capped-reasons';
import { intakeIssues, parsePurchaseRequest, requestIdSchema, type PurchaseRequest } from './purchase-request';
import { purchaseIdFor, type ExecutionInput, type PurchaseStatus } from './workflow';

/**
 * The one intake service behind both entry points (POST /purchases and the EventBridge trigger):
 * validate, claim the requestId, record, start the execution. Idempotent per requestId, so any
 * caller may retry: N identical submissions give one purchase record and one execution, because
 * the requestId claim is a conditional write and the execution name is the purchaseId.
 */

/** Where a request came from. */
export type RequestSource = ExecutionInput['source'];

/** Ports the service needs. */
export interface SubmitPurchaseDeps {
  purchases: PurchaseStore;
  audit: AuditLog;
  /** With it, the record and REQUEST_RECEIVED are written in one call (core/purchase-journal.ts). */
  steps?: Pick<StepJournal, 'open'>;
  workflow: WorkflowStarter;
  clock?: () => Date;
}

/** Outcome of an accepted submission. */
export interface SubmitPurchaseResult {
  purchaseId: string;
  status: PurchaseStatus;
  /** True when this requestId had been submitted before (nothing new was created). */
  existing: boolean;
}

/**
 * A rejected request, after it was audited. Still an {@link InvalidRequestError} (HTTP 400);
 * `auditId` is where the REQUEST_REJECTED entry was written.
 */
export class RequestRejectedError extends InvalidRequestError {
  override name = 'RequestRejectedError';
  constructor(
    message: string,
    issues: string[],
    readonly auditId: string,
    readonly requestId?: string,
  ) {
    super(message, issues);
  }
}

/** JSON with object keys sorted at every level, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 of the canonical form of a parsed request (defaults applied, key order ignored). An
 * explicit `notifyRequester: true` is the default and hashes like its absence, so requests sent
 * before the field existed still match their repeats.
 */
export function hashRequest(request: PurchaseRequest): string {
  const { notifyRequester, ...rest } = request;
  const canonical = notifyRequester === false ? request : rest;
  return createHash('sha256').update(canonicalJson(canonical), 'utf8').digest('hex');
}

/** The requestId of an arbitrary body, when it has a valid one. */
export function validRequestIdOf(body: unknown): string | undefined {
  const candidate = (body as { requestId?: unknown } | null)?.requestId;
  const r = requestIdSchema.safeParse(candidate);
  return r.success ? r.data : undefined;
}

/**
 * Audits a request that cannot be accepted (schema issues, or a body that is not even JSON) and
 * returns the error to throw. Nothing else happens: no purchase record, no execution, no vendor.
 */
export async function rejectRequest(
  deps: Pick<SubmitPurchaseDeps, 'audit'>,
  body: unknown,
  error: InvalidRequestError,
  source: RequestSource,
): Promise<RequestRejectedError> {
  const requestId = validRequestIdOf(body);
  // Under the purchase's own id when there is one, so the caller finds it with GET /purchases/{id}.
  const auditId = requestId ? purchaseIdFor(requestId) : `invalid-${randomUUID()}`;
  // Capped: the reasons quote requester input and must fit the audit item and the failure event.
  const reasons = capReasons(error.issues.length ? error.issues : [error.message]);
  const message = capText(error.message, MAX_MESSAGE_CHARS);
  await deps.audit.append(auditId, {
    type: 'REQUEST_REJECTED',
    status: 'INVALID',
    message: 'request rejected: it did not pass validation',
    detail: { reasons, source, ...(requestId ? { requestId } : {}) },
    actor: 'system',
  });
  return new RequestRejectedError(message, error.issues.length ? reasons : [], auditId, requestId);
}

/**
 * Validates and submits one purchase request. Throws RequestRejectedError (audited, 400),
 * RequestConflictError (same requestId, different body, 409), or an AWS error (safe to retry).
 */
export async function submitPurchase(deps: SubmitPurchaseDeps, body: unknown, source: RequestSource): Promise<SubmitPurchaseResult> {
  const clock = deps.clock ?? (() => new Date());
  let request: PurchaseRequest;
  try {
    request = parsePurchaseRequest(body);
  } catch (err) {
    if (err instanceof InvalidRequestError) throw await rejectRequest(deps, body, err, source);
    throw err;
  }

  const purchaseId = purchaseIdFor(request.requestId);
  const late = intakeIssues(request, clock());
  // A repeat of a request accepted earlier is not refused because time has passed since.
  if (late.length && !(await deps.purchases.get(purchaseId))) {
    throw await rejectRequest(deps, body, new InvalidRequestError(`invalid purchase request: ${late.join('; ')}`, late), source);
  }
  const requestHash = hashRequest(request);
  const claim = await deps.purchases.claimRequest(request.requestId, purchaseId, requestHash);

  if (!claim.claimed) {
    if (claim.requestHash !== requestHash) {
      const current = await deps.purchases.get(claim.purchaseId);
      await deps.audit.append(claim.purchaseId, {
        type: 'REQUEST_CONFLICT',
        status: current?.status ?? 'RECEIVED',
        message: 'a request reused this requestId with a different body; it was refused',
        detail: { requestId: request.requestId, source },
        actor: `requester:${request.requester.email}`,
      });
      throw new RequestConflictError(`requestId ${request.requestId} was already used for a different request (purchase ${claim.purchaseId})`);
    }
    return resumeExisting(deps, clock, request, claim.purchaseId, requestHash, source, claim.claimedAt);
  }

  const now = clock().toISOString();
  // REQUEST_RECEIVED with the purchase record, or before it, so no record ever exists without it.
  // Keyed by the claim's time, which every caller of this requestId reads alike: a retry that finds
  // it missing (resumeExisting) writes the very same entry, never a second one.
  const record = receivedRecord(purchaseId, request, requestHash, now);
  await openStep(deps, record, receivedEntry(request, requestHash, source), receivedOnce(claim.claimedAt));
  await startExecution(deps, { purchaseId, request, source, receivedAt: now });
  return { purchaseId, status: 'RECEIVED', existing: false };
}

/**
 * A repeat of an accepted request. The first caller may still be between its steps (or have
 * died there), so make sure the record exists and the execution was started; both steps are
 * idempotent. No audit entry: a burst of retries would only add noise.
 */
async function resumeExisting(
  deps: SubmitPurchaseDeps,
  clock: () => Date,
  request: PurchaseRequest,
  purchaseId: string,
  requestHash: string,
  source: RequestSource,
  claimedAt: string | undefined,
): Promise<SubmitPurchaseResult> {
  let record = await deps.purchases.get(purchaseId);
  // The first caller may have died before writing REQUEST_RECEIVED: write the same entry (a no-op
  // when it exists) before the record and the execution. Claims stored without a time fall back
  // to the record's createdAt.
  const receivedAt = claimedAt ?? record?.createdAt;
  if (!record?.executionArn) await appendReceived(deps, purchaseId, request, requestHash, source, receivedAt ?? clock().toISOString());
  if (!record) {
    await deps.purchases.create(receivedRecord(purchaseId, request, requestHash, clock().toISOString()));
    record = await deps.purchases.get(purchaseId);
  }
  // Once an execution is known, never call StartExecution again: Step Functions forgets closed
  // execution names after 90 days, and a late retry must not buy the license a second time.
  if (record && !record.executionArn) {
    await startExecution(deps, { purchaseId, request, source, receivedAt: record.createdAt });
  }
  return { purchaseId, status: record?.status ?? 'RECEIVED', existing: true };
}

/** Appends the REQUEST_RECEIVED audit entry, once per request. */
async function appendReceived(
  deps: Pick<SubmitPurchaseDeps, 'audit'>,
  purchaseId: string,
  request: PurchaseRequest,
  requestHash: string,
  source: RequestSource,
  receivedAt: string,
): Promise<void> {
  await deps.audit.append(purchaseId, receivedEntry(request, requestHash, source), receivedOnce(receivedAt));
}

/** The REQUEST_RECEIVED audit entry: the request as accepted, and who asked. */
function receivedEntry(request: PurchaseRequest, requestHash: string, source: RequestSource): AuditEntryInput {
  return {
    type: 'REQUEST_RECEIVED',
    status: 'RECEIVED',
    message: `purchase request received via ${source}`,
    detail: {
      requestId: request.requestId,
      vendor: request.vendor,
      requester: request.requester,
      reason: request.reason,
      item: request.item,
      ...(request.maxCost !== undefined ? { maxCost: request.maxCost } : {}),
      ...(request.notifyRequester === false ? { notifyRequester: false } : {}),
      source,
      requestHash,
    },
    actor: `requester:${request.requester.email}`,
  };
}

/** REQUEST_RECEIVED is written once per request, keyed by the time the request was claimed. */
function receivedOnce(receivedAt: string): AuditOnce {
  return { key: 'request-received', at: receivedAt };
}

async function startExecution(deps: SubmitPurchaseDeps, input: ExecutionInput): Promise<void> {
  const { executionArn } = await deps.workflow.start(input.purchaseId, input);
  await deps.purchases.update(input.purchaseId, { executionArn });
}

/** A new purchase's record, as the first request for its requestId creates it. */
function receivedRecord(purchaseId: string, request: PurchaseRequest, requestHash: string, now: string): PurchaseRecord {
  return {
    purchaseId,
    requestId: request.requestId,
    vendor: request.vendor,
    status: 'RECEIVED',
    requestHash,
    // Who asked, for GET /purchases (the full request stays in the REQUEST_RECEIVED audit entry).
    requester: { name: request.requester.name, email: request.requester.email },
    // The approvals API reads it to honour the opt-out (it never sees the request itself).
    ...(request.notifyRequester === false ? { notifyRequester: false } : {}),
    createdAt: now,
    updatedAt: now,
  };
}
