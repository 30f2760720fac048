import { budgetRule, renderAttentionMail, resolveCommands, type AttentionView } from './attention-mail';
import { recordedLicenseCheck, type AttentionFacts } from './attention-facts';
import { formatUtc } from './approval-page';
import { vendorLabel } from './vendor-names';
import { AUDIT } from './audit-kinds';
import type { CleanupStep } from './cleanup-steps';
import type { StepLog } from './money-step';
import type { AuditEntry, AuditLog, Mailer, PurchaseRecord } from './ports';
import { formatUsd } from './money';
import type { VendorProfile } from './vendor-profile';
import { findProfile } from './vendors';
import type { PurchaseStatus, WorkflowState } from './workflow';

/**
 * RecordOutcome's NEEDS_ATTENTION side (core/record-outcome.ts): the view of a purchase whose money
 * may be gone, the closing entry's and the failed event's wording, and the once-only mail to the
 * approvers. Apart from the end's bookkeeping because it is about telling people, not about money.
 */

/** Who the NEEDS_ATTENTION mail goes to and from, and the API address its commands name. */
export interface AttentionMailSettings {
  approvers: string[];
  sender: string;
  apiUrl: string;
}

/** Audit entry types of the NEEDS_ATTENTION mail; a sent one is not sent again by a retry. */
export const ATTENTION_MAIL = { sent: AUDIT.attentionMailSent, failed: AUDIT.attentionMailFailed } as const;

/** What the NEEDS_ATTENTION side needs from RecordOutcome's dependencies. */
export interface AttentionDeps {
  audit: AuditLog;
  mailer: Mailer;
  mail: AttentionMailSettings;
  log: StepLog;
  /** Removes link signatures and token-like runs from free text. */
  redactText: (text: string) => string;
}

/** What the NEEDS_ATTENTION mail, event and audit entry say about the purchase, secrets scrubbed. */
export function attentionView(
  deps: Pick<AttentionDeps, 'redactText' | 'mail'>,
  state: WorkflowState,
  record: PurchaseRecord | undefined,
  end: { reason: string; pending: CleanupStep[]; statusAfterCleanup: PurchaseStatus | undefined; endedAt: string; itemNoun?: string },
): AttentionView {
  const { request } = state;
  const amountUsd = state.purchase?.amountUsd ?? state.quote?.amountUsd ?? record?.amountUsd;
  const cartItemId = state.cart?.itemId ?? state.purchase?.cartItemId ?? record?.cartItemId;
  const licenseId = state.purchase?.licenseId ?? record?.licenseId;
  const invoice = state.purchase?.invoice ?? record?.invoice;
  // What the vendor left a trace of, in the facts the vendor's checks read and in the view alike.
  const traces = {
    ...(cartItemId !== undefined ? { cartItemId } : {}),
    ...(licenseId ? { licenseId } : {}),
    ...(invoice !== undefined ? { invoice } : {}),
  };
  const facts: AttentionFacts = {
    purchaseId: state.purchaseId,
    since: `since ${formatUtc(state.receivedAt)}`,
    cost: amountUsd !== undefined ? ` of ${formatUsd(amountUsd)}` : '',
    cleanupPending: end.pending,
    ...traces,
  };
  return {
    purchaseId: state.purchaseId,
    requestId: request.requestId,
    vendor: request.vendor,
    requester: { name: request.requester.name, email: request.requester.email },
    // Vendor messages are written without secrets; this drops anything token-like regardless.
    reason: deps.redactText(end.reason),
    cleanupPending: end.pending,
    // A vendor no longer registered (an execution older than its removal) gets the generic checks.
    checks: vendorChecksOrFallback(request.vendor, findProfile(request.vendor), facts, request.item),
    receivedAt: state.receivedAt,
    endedAt: end.endedAt,
    apiUrl: deps.mail.apiUrl,
    ...(amountUsd !== undefined ? { amountUsd } : {}),
    ...(state.quote?.summary ? { item: state.quote.summary } : {}),
    ...traces,
    ...(cartItemId !== undefined && end.itemNoun ? { itemNoun: end.itemNoun } : {}),
    ...(end.statusAfterCleanup ? { statusAfterCleanup: end.statusAfterCleanup } : {}),
  };
}

/**
 * The vendor's checks; if its code throws, or the vendor is no longer registered, generic ones: the purchase must still end NEEDS_ATTENTION
 * (its record is written after this view), and a person still needs to know what to look at.
 */
export function vendorChecksOrFallback(vendor: string, profile: VendorProfile | undefined, facts: AttentionFacts, item: unknown): string[] {
  try {
    if (profile) return profile.attentionChecks(facts, item);
  } catch {
    // The generic checks below.
  }
  return [
    ...recordedLicenseCheck(facts),
    `The account's licenses (npx procure licenses --vendor ${vendor}) and charges${facts.cost} ${facts.since}: is there one for this purchase?`,
  ];
}

/** The closing audit entry's message: loud, with the budget rule and the way to settle it. */
export function attentionMessage(view: AttentionView): string {
  const { bought, notBought } = resolveCommands({ purchaseId: view.purchaseId, ...(view.licenseId ? { licenseId: view.licenseId } : {}) });
  const cleanup = view.cleanupPending.length ? ` Cleanup left to the reconciler: ${view.cleanupPending.join(', ')}.` : '';
  return (
    `ATTENTION: MONEY MAY HAVE BEEN SPENT. ${view.reason}. ${budgetRule(view)}${cleanup} ` +
    `Check the ${vendorLabel(view.vendor)} account, then record the finding: ${bought} | ${notBought}`
  );
}

/** The failed event's extra fields for NEEDS_ATTENTION: what to check and how to settle it. */
export function attentionEventDetail(view: AttentionView): Record<string, unknown> {
  return {
    check: view.checks,
    resolve: resolveCommands(view),
    ...(view.cleanupPending.length ? { cleanupPending: view.cleanupPending } : {}),
    ...(view.cartItemId !== undefined ? { cartItemId: view.cartItemId } : {}),
    ...(view.licenseId ? { licenseId: view.licenseId } : {}),
    ...(view.invoice !== undefined ? { invoice: view.invoice } : {}),
  };
}

/**
 * Mails the approvers once per purchase. A mail that cannot be sent is audited and logged, and the
 * purchase still ends: the event and the audit trail carry the same facts.
 */
export async function sendAttentionMail(deps: AttentionDeps, view: AttentionView, trail: AuditEntry[]): Promise<void> {
  if (trail.some((e) => e.type === ATTENTION_MAIL.sent)) return;
  const to = deps.mail.approvers;
  try {
    if (to.length === 0) throw new Error('no approvers are configured');
    await deps.mailer.send(renderAttentionMail(view, { from: deps.mail.sender, to }));
  } catch (err) {
    deps.log.error('the NEEDS_ATTENTION mail could not be sent', { purchaseId: view.purchaseId, error: err as Error });
    await deps.audit.append(view.purchaseId, {
      type: ATTENTION_MAIL.failed,
      status: 'NEEDS_ATTENTION',
      actor: 'system',
      message: `The NEEDS_ATTENTION mail to the approvers could not be sent: ${(err as Error).message}`,
      detail: { to, error: (err as Error).name },
    });
    return;
  }
  await deps.audit.append(view.purchaseId, {
    type: ATTENTION_MAIL.sent,
    status: 'NEEDS_ATTENTION',
    actor: 'system',
    message: `Mailed ${to.length} approver(s): what to check at ${vendorLabel(view.vendor)} and how to resolve`,
    detail: { to },
  });
}
