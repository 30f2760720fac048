import { AUDIT } from './audit-kinds';
import * as z from './zod';
import { CLEANUP_STEPS } from './cleanup-steps';
import { InvalidRequestError, ProcureError, PurchaseStatusConflictError } from './errors';
import type { AuditLog, PurchaseRecord, PurchaseResolution, PurchaseStore, SpendGuard } from './ports';
import { wantsNotices } from './purchase-request';
import { notifyRequester, type RequesterNoticeDeps } from './notify-requester';
import type { RequesterNoticeView } from './requester-notice';
import { NOT_BOUGHT_AFTER_CHECK } from './requester-reasons';
import type { PurchaseStatus } from './workflow';

/**
 * A person's finding on a NEEDS_ATTENTION purchase (`procure resolve`, POST
 * /purchases/{id}/resolution): `bought` (with the license found) ends it COMPLETED and commits its
 * budget; `not-bought` ends it FAILED and releases the budget. Accepted only from NEEDS_ATTENTION,
 * by one conditional status write, so of two racing resolutions exactly one applies. Repeating
 * the applied finding is harmless: it finishes whatever a failed earlier call left undone (budget,
 * audit entry) and reports `alreadyResolved`. The requester, who was told at NEEDS_ATTENTION that
 * the purchase is being checked, is told how it ended (once; unless the request opted out).
 */
export interface ResolvePurchaseDeps {
  purchases: PurchaseStore;
  audit: AuditLog;
  spendGuard: Pick<SpendGuard, 'commit' | 'release'>;
  /** The requester's notice of how it ended (core/notify-requester.ts); absent: no notice. */
  requesterNotice?: RequesterNoticeDeps;
  clock?: () => Date;
}

/** The request body. */
export type ResolutionInput = { finding: 'bought'; licenseId: string; comment?: string } | { finding: 'not-bought'; comment?: string };

export interface ResolveResult {
  purchaseId: string;
  status: PurchaseStatus;
  resolution: PurchaseResolution;
  /** What happened to the budget reservation. */
  budget: 'committed' | 'released' | 'unchanged';
  /** True when this finding had already been recorded (by this caller's earlier try or another's). */
  alreadyResolved: boolean;
}

/** Audit entry type of a resolution. */
export const RESOLVED = AUDIT.resolved;

/** The purchase does not exist. */
export class UnknownPurchaseError extends ProcureError {
  override name = 'UnknownPurchaseError';
}
/** The purchase is not (or no longer) in NEEDS_ATTENTION, and not resolved this same way. */
export class NotResolvableError extends ProcureError {
  override name = 'NotResolvableError';
}

const comment = z.optional(z.string().check(z.trim(), z.minLength(1, 'comment must not be empty when given'), z.maxLength(1000)));
const resolutionSchema = z.discriminatedUnion(
  'finding',
  [
    z.strictObject({
      finding: z.literal('bought'),
      licenseId: z
        .string({ error: 'licenseId is required when the finding is bought' })
        .check(
          z.minLength(1, 'licenseId is required when the finding is bought'),
          z.maxLength(128),
          z.regex(/^[A-Za-z0-9._:-]+$/, 'licenseId may contain only letters, digits and . _ : -'),
        ),
      comment,
    }),
    z.strictObject({ finding: z.literal('not-bought'), comment }),
  ],
  { error: 'finding must be "bought" or "not-bought"' },
);

/** Parses the body or throws InvalidRequestError whose issues name the field. */
export function parseResolution(body: unknown): ResolutionInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError('invalid resolution: the body must be a JSON object', ['(body): a JSON object {"finding": ...} is required']);
  }
  const r = resolutionSchema.safeParse(body);
  if (!r.success) {
    const issues = z.describeIssues(r.error);
    throw new InvalidRequestError(`invalid resolution: ${issues.join('; ')}`, issues);
  }
  return r.data;
}

const TARGET: Record<ResolutionInput['finding'], PurchaseStatus> = { bought: 'COMPLETED', 'not-bought': 'FAILED' };

export async function resolvePurchase(deps: ResolvePurchaseDeps, purchaseId: string, body: unknown, actor: string): Promise<ResolveResult> {
  const input = parseResolution(body);
  const status = TARGET[input.finding];
  const resolution: PurchaseResolution = {
    finding: input.finding,
    ...(input.finding === 'bought' ? { licenseId: input.licenseId } : {}),
    actor,
    ...(input.comment ? { comment: input.comment } : {}),
    at: (deps.clock ?? (() => new Date()))().toISOString(),
  };

  const record = await deps.purchases.get(purchaseId);
  if (!record) throw new UnknownPurchaseError(`purchase ${purchaseId} not found`);
  let applied = record;
  /** won: this call applied it; raced: a concurrent call did; repeat: an earlier call did. */
  let how: 'won' | 'raced' | 'repeat' = 'repeat';
  if (record.status === 'NEEDS_ATTENTION') {
    try {
      await deps.purchases.update(purchaseId, resolvedPatch(record, resolution, status), { ifStatusIn: ['NEEDS_ATTENTION'] });
      applied = { ...record, status, resolution };
      how = 'won';
    } catch (err) {
      if (!(err instanceof PurchaseStatusConflictError)) throw err;
      // Another resolution won the race: fine if it found the same.
      applied = (await deps.purchases.get(purchaseId)) ?? record;
      how = 'raced';
    }
  }
  const alreadyResolved = how !== 'won';
  if (alreadyResolved && !sameFinding(applied, input)) {
    const by = applied.resolution ? ` (resolved ${applied.resolution.finding} by ${applied.resolution.actor})` : '';
    throw new NotResolvableError(`purchase ${purchaseId} is ${applied.status}${by}; only a purchase in NEEDS_ATTENTION can be resolved`);
  }
  const recorded = applied.resolution ?? resolution;

  const budget = await settleBudget(deps, purchaseId, input.finding);
  // Once: the call that applied the finding writes the entry; a later repeat writes it only if
  // that call failed before it did (a concurrent loser leaves it to the winner).
  const write = how === 'won' || (how === 'repeat' && !(await deps.audit.list(purchaseId)).some((e) => e.type === RESOLVED));
  if (write) {
    await deps.audit.append(purchaseId, {
      type: RESOLVED,
      status,
      actor: recorded.actor,
      message:
        input.finding === 'bought'
          ? `Resolved by ${recorded.actor}: bought, license ${recorded.licenseId}; budget ${budget.outcome}`
          : `Resolved by ${recorded.actor}: nothing was bought; budget ${budget.outcome}`,
      detail: {
        finding: recorded.finding,
        ...(recorded.licenseId ? { licenseId: recorded.licenseId } : {}),
        ...(recorded.comment ? { comment: recorded.comment } : {}),
        budget: budget.outcome,
        ...(budget.problem ? { budgetProblem: budget.problem } : {}),
        ...(record.reason && !alreadyResolved ? { previousReason: record.reason } : {}),
      },
    });
  }
  if (write && deps.requesterNotice) {
    const view = settledNoticeView(record, status, recorded);
    if (view) await notifyRequester(deps.requesterNotice, view, status, wantsNotices(record));
  }
  return { purchaseId, status, resolution: recorded, budget: budget.outcome, alreadyResolved };
}

/**
 * The requester's notice of a settled purchase: the license a person found, or that nothing was
 * bought. procure's facts only (the resolver's comment is for the audit trail, not the requester).
 * Undefined for a record without a requester (written before intake kept one).
 */
export function settledNoticeView(record: PurchaseRecord, status: PurchaseStatus, resolution: PurchaseResolution): RequesterNoticeView | undefined {
  if (!record.requester) return undefined;
  return {
    purchaseId: record.purchaseId,
    requestId: record.requestId,
    vendor: record.vendor,
    requester: { name: record.requester.name, email: record.requester.email },
    reason: '',
    ...(record.amountUsd !== undefined ? { amountUsd: record.amountUsd } : {}),
    outcome:
      status === 'COMPLETED'
        ? { status: 'COMPLETED', ...(resolution.licenseId ? { licenseId: resolution.licenseId } : {}) }
        : { status: 'FAILED', vendor: record.vendor, error: NOT_BOUGHT_AFTER_CHECK },
  };
}

function resolvedPatch(record: PurchaseRecord, resolution: PurchaseResolution, status: PurchaseStatus): Partial<PurchaseRecord> {
  const found = resolution.finding === 'bought' ? `bought, license ${resolution.licenseId}` : 'nothing was bought';
  return {
    status,
    resolution,
    reason: `resolved by ${resolution.actor}: ${found}${resolution.comment ? ` (${resolution.comment})` : ''}`,
    ...(resolution.licenseId ? { licenseId: resolution.licenseId } : {}),
    // Bought: the item is the license, nothing is left to undo. Not bought: the budget is released
    // here; an item still in the cart is the reconciler's (a final, unbought purchase's orphan).
    ...(record.cleanupPending?.length
      ? { cleanupPending: resolution.finding === 'bought' ? [] : record.cleanupPending.filter((s) => s !== CLEANUP_STEPS.releaseReservation) }
      : {}),
  };
}

function sameFinding(record: PurchaseRecord, input: ResolutionInput): boolean {
  const r = record.resolution;
  if (!r || record.status !== TARGET[input.finding] || r.finding !== input.finding) return false;
  return input.finding !== 'bought' || r.licenseId === input.licenseId;
}

/**
 * Commits or releases the reservation (both idempotent). A reservation that cannot make the move
 * (bought, but it was already released) is reported, not thrown: the finding stands either way.
 */
async function settleBudget(
  deps: ResolvePurchaseDeps,
  purchaseId: string,
  finding: ResolutionInput['finding'],
): Promise<{ outcome: ResolveResult['budget']; problem?: string }> {
  if (finding === 'not-bought') {
    await deps.spendGuard.release(purchaseId);
    return { outcome: 'released' };
  }
  try {
    await deps.spendGuard.commit(purchaseId);
    return { outcome: 'committed' };
  } catch (err) {
    if ((err as Error).name !== 'ReservationStateError') throw err;
    return { outcome: 'unchanged', problem: (err as Error).message };
  }
}
