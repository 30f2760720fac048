import { formatUsd } from './money';
import type { ApprovalSummary, Mail } from './ports';
import { describeBudget, escapeHtml, formatUtc, summaryRows, vendorName, type BudgetView } from './approval-page';

/**
 * The approval e-mail (text and HTML), one per approver because each link is bound to one
 * approver. Pure. The link is the only secret-bearing thing in it; the task token never is.
 */
export interface ApprovalMailView {
  from: string;
  approver: string;
  summary: ApprovalSummary;
  /** The signed link: `<base>/approvals/<id>?sig=<sig>`. */
  url: string;
  expiresAt: string;
  budget?: BudgetView;
}

/** Builds the mail; when `summary.mismatch` is set it says the total changed and asks again. */
export function renderApprovalMail(view: ApprovalMailView): Mail {
  const { summary } = view;
  const vendor = vendorName(summary.vendor);
  const cost = formatUsd(summary.amountUsd);
  const prefix = summary.mismatch ? 'Changed total, approve again: ' : 'Approve purchase: ';
  const subject = `${prefix}${vendor} ${cost} for ${summary.requester.name}`;
  const lines: Array<[string, string]> = [
    ...summaryRows(summary),
    ['Budget left', describeBudget(summary.vendor, view.budget)],
    ['Link expires', formatUtc(view.expiresAt)],
  ];
  const intro = summary.mismatch
    ? `The vendor's total for this purchase changed after it was quoted (${summary.mismatch}), so it needs your approval again.`
    : 'A license purchase needs your approval.';
  const outro =
    'The link opens a page showing the purchase; nothing is decided until you press Approve or Reject there. ' +
    'The link is yours alone: do not forward it.';

  const text = [intro, '', ...lines.map(([k, v]) => `${k}: ${v}`), '', `Review and decide: ${view.url}`, '', outro, ''].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(intro)}</p>`,
    '<table>',
    ...lines.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p><a href="${escapeHtml(view.url)}">Review and decide</a></p>`,
    `<p>${escapeHtml(outro)}</p>`,
    '</body></html>',
  ].join('\n');

  return { to: [view.approver], from: view.from, subject: subject.replace(/[\r\n]+/g, ' ').slice(0, 200), text, html };
}
