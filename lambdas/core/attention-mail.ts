import type { HeldItemId } from './held-item';
import { escapeHtml, formatUtc } from './approval-page';
import { capitalized, vendorLabel } from './vendor-names';
import type { CleanupStep } from './cleanup-steps';
import { formatUsd } from './money';
import type { Mail } from './ports';
import type { Vendor } from './purchase-request';
import { escapeControls } from './safe-text';
import type { PurchaseStatus } from './workflow';

/**
 * What a person is told about a NEEDS_ATTENTION purchase (the mail to the approvers, and the
 * `check` / `resolve` fields of the failed event): what procure knows, what to look at in the
 * vendor account, and the exact `procure resolve` commands that record the finding. Pure. Built
 * only from ids, amounts and reasons: no secret, task token, link signature or stack trace.
 */
export interface AttentionView {
  purchaseId: string;
  requestId: string;
  vendor: Vendor;
  amountUsd?: number;
  /** The quote's one-line item summary, when it got that far. */
  item?: string;
  requester: { name: string; email: string };
  /** Why the purchase needs attention (the recorded reason). */
  reason: string;
  cartItemId?: HeldItemId;
  /** How the vendor calls that item ("cart item": its leftovers' noun); absent: "cart item". */
  itemNoun?: string;
  licenseId?: string;
  invoice?: number;
  /** What to look at in the vendor account, one sentence each (its profile's attentionChecks). */
  checks: string[];
  /** Compensation steps that did not finish; the reconciler retries them. */
  cleanupPending: readonly CleanupStep[];
  /** The status the purchase would have ended in had its cleanup finished. */
  statusAfterCleanup?: PurchaseStatus;
  /** When the request came in (the vendor may have charged any time since) and when it ended. */
  receivedAt: string;
  endedAt: string;
  /** The API's base URL for `--api`; absent = the local runtime the CLI finds on its own. */
  apiUrl?: string;
}

/** The exact commands that record what the person found. */
export function resolveCommands(view: Pick<AttentionView, 'purchaseId' | 'licenseId' | 'apiUrl'>): { bought: string; notBought: string } {
  const api = view.apiUrl ? ` --api ${view.apiUrl}` : '';
  const base = `npx procure resolve ${view.purchaseId}`;
  return {
    bought: `${base} --bought ${view.licenseId ?? '<licenseId>'} --comment "what you found"${api}`,
    notBought: `${base} --not-bought --comment "what you found"${api}`,
  };
}

/** The budget rule, in the words the audit entry and the mail use. */
export function budgetRule(view: Pick<AttentionView, 'vendor' | 'amountUsd'>): string {
  const amount = view.amountUsd !== undefined ? `${formatUsd(view.amountUsd)}, ` : '';
  return (
    `The budget reservation is KEPT (${amount}counted against the ${vendorLabel(view.vendor)} monthly cap) ` +
    'until the reconciler or a person establishes that nothing was bought.'
  );
}

/** The mail to the approvers (one mail, all of them: there is no per-person link in it). */
export function renderAttentionMail(view: AttentionView, mail: { from: string; to: string[] }): Mail {
  const vendor = vendorLabel(view.vendor);
  const cost = view.amountUsd !== undefined ? ` ${formatUsd(view.amountUsd)}` : '';
  // Controls in stored requester text (refused by the schema today) stay visible escapes, so they
  // cannot start a line of their own or reorder what follows.
  const subject = `Needs attention: ${vendor}${cost} purchase for ${escapeControls(view.requester.name)} (${view.purchaseId})`;
  const intro = view.cleanupPending.length
    ? `A ${vendor} purchase ended as NEEDS_ATTENTION: procure could not finish cleaning up at ${vendor}, so it cannot rule out that money was spent.`
    : `A ${vendor} purchase ended as NEEDS_ATTENTION: procure cannot tell whether ${vendor} charged for it.`;
  const rows = attentionRows(view, vendor);
  const commands = resolveCommands(view);
  const reconciler = view.cleanupPending.length
    ? `The reconciler retries the unfinished cleanup (${view.cleanupPending.join(', ')}) on its schedule.`
    : undefined;
  const settle = [
    'When you know, record it (from the procure project folder):',
    `  bought:     ${commands.bought}`,
    `  not bought: ${commands.notBought}`,
    '--bought completes the purchase with that license and counts its money as spent; --not-bought ends it FAILED and gives its budget back. ' +
      'Only a purchase still in NEEDS_ATTENTION can be resolved, and only once.',
  ];

  const parts: MailParts = { intro, rows, checks: view.checks, commands, reconciler, settle };
  const text = attentionText(view, vendor, parts);
  const html = attentionHtml(view, vendor, parts);

  return { to: mail.to, from: mail.from, subject: subject.replace(/[\r\n]+/g, ' ').slice(0, 200), text, html };
}

/** The mail's parts that the plain-text and the HTML body both show. */
interface MailParts {
  intro: string;
  rows: Array<[string, string]>;
  checks: string[];
  commands: { bought: string; notBought: string };
  reconciler: string | undefined;
  settle: string[];
}

/** The facts table: every field the purchase has, in a fixed order; unknown ones left out. */
function attentionRows(view: AttentionView, vendor: string): Array<[string, string]> {
  const known: Array<[string, string | undefined]> = [
    ['Purchase', view.purchaseId],
    ['Request', view.requestId],
    ['Vendor', vendor],
    ['Item', view.item],
    ['Amount', view.amountUsd !== undefined ? formatUsd(view.amountUsd) : undefined],
    ['Requester', `${view.requester.name} <${view.requester.email}>`],
    ['Reason', view.reason],
    [capitalized(view.itemNoun ?? 'cart item'), view.cartItemId !== undefined ? String(view.cartItemId) : undefined],
    ['License', view.licenseId],
    ['Invoice', view.invoice !== undefined && view.invoice !== 0 ? String(view.invoice) : undefined],
    ['Cleanup not finished', view.cleanupPending.length ? view.cleanupPending.join(', ') : undefined],
    ['Requested', formatUtc(view.receivedAt)],
    ['Ended', formatUtc(view.endedAt)],
  ];
  return known.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}

/** The plain-text body. */
function attentionText(view: AttentionView, vendor: string, { intro, rows, checks, reconciler, settle }: MailParts): string {
  return [
    intro,
    '',
    ...rows.map(([k, v]) => `${k}: ${escapeControls(v)}`),
    '',
    budgetRule(view),
    ...(reconciler ? [reconciler] : []),
    '',
    `What to check at ${vendor}:`,
    ...checks.map((c) => `- ${c}`),
    '',
    ...settle,
    '',
  ].join('\n');
}

/** The HTML body: the same content, every value escaped. */
function attentionHtml(view: AttentionView, vendor: string, { intro, rows, checks, commands, reconciler, settle }: MailParts): string {
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(intro)}</p>`,
    '<table>',
    ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p>${escapeHtml(budgetRule(view))}${reconciler ? ` ${escapeHtml(reconciler)}` : ''}</p>`,
    `<p>What to check at ${escapeHtml(vendor)}:</p>`,
    `<ul>${checks.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`,
    `<p>${escapeHtml(settle[0]!)}</p>`,
    `<pre>${escapeHtml(commands.bought)}\n${escapeHtml(commands.notBought)}</pre>`,
    `<p>${escapeHtml(settle[3]!)}</p>`,
    '</body></html>',
  ].join('\n');
}
