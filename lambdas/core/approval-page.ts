import { createHash } from 'node:crypto';
import { formatUsd } from './money';
import type { ApprovalSummary } from './ports';
import type { Vendor } from './purchase-request';
import { vendorLabel } from './vendor-names';

/**
 * HTML for the approval link: a confirm page for GET (which changes nothing, because mail scanners
 * open links) with ONE form that POSTs the decision back, and result/error pages. Pure: no I/O.
 * Every interpolated value goes through {@link escapeHtml}; pages load nothing external and the
 * only style is inline, allowed by hash in {@link APPROVAL_PAGE_CSP}.
 */

const STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}',
  'h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}',
  'dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}.note{background:#fff4d6;padding:.75rem;border-radius:.25rem}',
  'textarea{width:100%;min-height:4rem}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.75rem;cursor:pointer}',
  '.approve{background:#1a7f37;color:#fff;border:0}.reject{background:#cf222e;color:#fff;border:0}',
].join('');

const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/**
 * Content-Security-Policy for every approval page: nothing may load, no script may run, the form
 * may only post back to this origin, and no other site may frame the page (clickjacking).
 */
export const APPROVAL_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** "2030-01-02 03:04 UTC": unambiguous for approvers in any time zone. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The budget line shown to approvers. */
export interface BudgetView {
  remainingUsd: number;
  capUsd: number;
}

/** What the confirm page shows. */
export interface ConfirmPageView {
  approvalId: string;
  /** Echoed in a hidden field so the POST carries it; never in the form's URL. */
  signature: string;
  approver: string;
  expiresAt: string;
  summary: ApprovalSummary;
  /** Left this month after this purchase's reservation; absent when it could not be read. */
  budget?: BudgetView;
  /** Set when the purchase needs several distinct approvals: where it stands. */
  quorum?: QuorumView;
}

/** Where a round needing several approvals stands, as approvers see it. */
export interface QuorumView {
  needed: number;
  /** Whose approval counts so far. */
  approvedBy: readonly string[];
  /** Asked and not approved yet. */
  waitingFor: readonly string[];
}

/** Label/value rows of a quorum: how many are needed, who approved, who may still decide. */
export function quorumRows(q: QuorumView): Array<[string, string]> {
  const missing = Math.max(0, q.needed - q.approvedBy.length);
  return [
    ['Approvals needed', `${q.needed} distinct approvers; ${q.approvedBy.length} so far${q.approvedBy.length ? ` (${q.approvedBy.join(', ')})` : ''}`],
    ['Still needed', missing === 0 ? 'none' : `${missing} more, from: ${q.waitingFor.join(', ') || 'nobody left to ask'}`],
  ];
}

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="robots" content="noindex,nofollow">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    body,
    '</body></html>',
  ].join('\n');
}

/** The purchase as label/value rows (unescaped), shared by the pages and the mail. */
export function summaryRows(summary: ApprovalSummary): Array<[string, string]> {
  return [
    ['Vendor', vendorLabel(summary.vendor)],
    ['Item', summary.item],
    ['Cost', formatUsd(summary.amountUsd)],
    ['Requester', `${summary.requester.name} <${summary.requester.email}>`],
    ['Reason', summary.reason],
  ];
}

function rowList(rows: Array<[string, string]>): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function summaryList(summary: ApprovalSummary, extra: Array<[string, string]> = []): string {
  return rowList([...summaryRows(summary), ...extra]);
}

/** Budget sentence shared by the page and the mail. */
export function describeBudget(vendor: Vendor, budget: BudgetView | undefined): string {
  return budget
    ? `${formatUsd(budget.remainingUsd)} of ${formatUsd(budget.capUsd)} left this month for ${vendorLabel(vendor)} (after this purchase)`
    : 'unavailable';
}

/**
 * GET page: the purchase, and one form posting approve or reject (with an optional comment) back
 * to this approval's URL. The relative action keeps any API stage prefix and drops the query.
 */
export function renderConfirmPage(view: ConfirmPageView): string {
  const { summary } = view;
  const mismatch = summary.mismatch
    ? `<p class="note">The vendor's total changed since the first quote (${escapeHtml(summary.mismatch)}). Please review the new cost.</p>`
    : '';
  const body = [
    `<h1>Approve a ${escapeHtml(vendorLabel(summary.vendor))} purchase?</h1>`,
    mismatch,
    summaryList(summary, [
      ['Budget left', describeBudget(summary.vendor, view.budget)],
      ...(view.quorum ? quorumRows(view.quorum) : []),
      ['Approver', view.approver],
      ['Link expires', formatUtc(view.expiresAt)],
    ]),
    '<p>Nothing happens until you press a button.</p>',
    `<form method="post" action="${escapeHtml(encodeURIComponent(view.approvalId))}">`,
    `<input type="hidden" name="sig" value="${escapeHtml(view.signature)}">`,
    '<p><label for="comment">Comment (optional)</label><br>',
    '<textarea id="comment" name="comment" maxlength="1000"></textarea></p>',
    '<p><button class="approve" type="submit" name="decision" value="approve">Approve</button>',
    '<button class="reject" type="submit" name="decision" value="reject">Reject</button></p>',
    '</form>',
  ].join('\n');
  return page(`Approve purchase: ${vendorLabel(summary.vendor)} ${formatUsd(summary.amountUsd)}`, body);
}

/** Page after a successful POST. */
export function renderDecidedPage(view: { decision: 'APPROVED' | 'REJECTED'; approver: string; decidedAt: string; summary?: ApprovalSummary }): string {
  const approved = view.decision === 'APPROVED';
  const title = approved ? 'Purchase approved' : 'Purchase rejected';
  const body = [
    `<h1>${title}</h1>`,
    `<p>${escapeHtml(view.approver)} ${approved ? 'approved' : 'rejected'} this purchase at ${escapeHtml(formatUtc(view.decidedAt))}.</p>`,
    approved ? '<p>The purchase continues now; the requester is told the outcome.</p>' : '<p>Nothing will be bought.</p>',
    view.summary ? summaryList(view.summary) : '',
  ].join('\n');
  return page(title, body);
}

/**
 * Page after an approval that counts but does not decide yet: the purchase needs more distinct
 * approvals, and nothing is bought until it has them.
 */
export function renderCountedPage(view: { approver: string; decidedAt: string; quorum: QuorumView; summary?: ApprovalSummary }): string {
  const title = 'Approval recorded';
  const body = [
    `<h1>${title}</h1>`,
    `<p>${escapeHtml(view.approver)} approved this purchase at ${escapeHtml(formatUtc(view.decidedAt))}. It needs more approvals before anything is bought; any rejection ends it.</p>`,
    rowList([...(view.summary ? summaryRows(view.summary) : []), ...quorumRows(view.quorum)]),
  ].join('\n');
  return page(title, body);
}

/** Why a link cannot be used. */
export type ApprovalErrorKind = 'invalid' | 'expired' | 'already-decided' | 'not-found' | 'unavailable';

const ERROR_PAGES: Record<ApprovalErrorKind, { title: string; text: string }> = {
  invalid: {
    title: 'This approval link is not valid',
    text: 'The link is incomplete or was altered. Open the link exactly as it appears in the approval e-mail.',
  },
  expired: {
    title: 'This approval link has expired',
    text: 'The time to decide on this purchase has passed, so it was not bought. The requester can submit it again.',
  },
  'already-decided': {
    title: 'This purchase was already decided',
    text: 'Each approval link works once, and a purchase is decided once. Nothing was changed.',
  },
  'not-found': {
    title: 'Approval not found',
    text: 'There is no approval for this link. It may have been mistyped.',
  },
  unavailable: {
    title: 'Something went wrong',
    text: 'Your decision could not be processed right now. Please try the link again in a few minutes.',
  },
};

/** Error page; `detail` (e.g. "approved by x at y") is escaped and optional. */
export function renderErrorPage(kind: ApprovalErrorKind, detail?: string): string {
  const { title, text } = ERROR_PAGES[kind];
  const body = [`<h1>${escapeHtml(title)}</h1>`, `<p>${escapeHtml(text)}</p>`, detail ? `<p>${escapeHtml(detail)}</p>` : ''];
  return page(title, body.join('\n'));
}
