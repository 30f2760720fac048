import { formatUsd } from './money';
import type { ApprovalSummary, Mail } from './ports';
import { describeBudget, escapeHtml, formatUtc, type BudgetView } from './approval-page';
import { vendorLabel } from './vendor-names';
import { escapeControls, quotedBlocks } from './safe-text';
import { htmlFactRow, htmlQuotedRow } from './mail-html';

/**
 * The approval e-mail (text and HTML), one per approver because each link is bound to one
 * approver. Pure. The link is the only secret-bearing thing in it; the task token never is.
 *
 * Requester-written text (name, reason, the item's title or coupon) cannot pose as procure: the
 * link and procure's own facts come first, and requester text only ever appears indented under
 * its label, so no line it produces starts with a label such as `Cost:`. The link is also sent in
 * the {@link APPROVAL_LINK_HEADER} header, which is where tools take it from.
 */
export interface ApprovalMailView {
  from: string;
  approver: string;
  summary: ApprovalSummary;
  /** The signed link: `<base>/approvals/<id>?sig=<sig>`. */
  url: string;
  expiresAt: string;
  budget?: BudgetView;
  /**
   * A follow-up of an open request (core/approval-follow-up.ts) with a fresh link: a reminder, an
   * escalation to an approver who was not asked at first, or a resend someone asked for.
   */
  followUp?: ApprovalFollowUpKind;
  /** Set when the purchase needs several distinct approvals: `needed` of the `of` people asked. */
  quorum?: { needed: number; of: number };
}

export type ApprovalFollowUpKind = 'reminder' | 'escalation' | 'resend';

/** Subject prefix and opening line of each follow-up (procure's words only). */
const FOLLOW_UP_TEXT: Record<ApprovalFollowUpKind, { prefix: string; intro: string }> = {
  reminder: {
    prefix: 'Reminder, approve purchase: ',
    intro: 'Reminder: a license purchase is still waiting for a decision. Nobody has approved or rejected it yet.',
  },
  escalation: {
    prefix: 'Escalated, approve purchase: ',
    intro: 'A license purchase has waited for its approvers without a decision, so it is now sent to you as well.',
  },
  resend: {
    prefix: 'Approve purchase (sent again): ',
    intro: 'A license purchase needs your approval. This link was sent again on request; earlier links still work until one decision is made.',
  },
};

/** The header carrying the genuine approval link (procure's own data, never parsed from the body). */
export const APPROVAL_LINK_HEADER = 'X-Procure-Approval-Link';

/** "2 distinct approvers of the 3 asked; yours counts once". */
export function describeQuorum(needed: number, of: number): string {
  return `${needed} distinct approvers of the ${of} asked; yours counts once`;
}

/** Builds the mail; when `summary.mismatch` is set it says the total changed and asks again. */
export function renderApprovalMail(view: ApprovalMailView): Mail {
  const { summary } = view;
  const vendor = vendorLabel(summary.vendor);
  const cost = formatUsd(summary.amountUsd);
  const followUp = view.followUp ? FOLLOW_UP_TEXT[view.followUp] : undefined;
  const prefix = followUp?.prefix ?? (summary.mismatch ? 'Changed total, approve again: ' : 'Approve purchase: ');
  // The schema refuses controls in the name; escaping again covers records stored before it did.
  const subject = `${prefix}${vendor} ${cost} for ${escapeControls(summary.requester.name)}`;
  const facts: Array<[string, string]> = [
    ['Vendor', vendor],
    ['Cost', cost],
    ['Budget left', describeBudget(summary.vendor, view.budget)],
    ...(view.quorum ? [['Approvals needed', describeQuorum(view.quorum.needed, view.quorum.of)] as [string, string]] : []),
  ];
  const quoted: Array<[string, string]> = [
    ['Item', summary.item],
    ['Requester', `${summary.requester.name} <${summary.requester.email}>`],
    ['Reason, as written by the requester', summary.reason],
  ];
  const intro = followUp
    ? followUp.intro
    : summary.mismatch
      ? `The vendor's total for this purchase changed after it was quoted (${escapeControls(summary.mismatch)}), so it needs your approval again.`
      : 'A license purchase needs your approval.';
  const outro =
    'The link opens a page showing the purchase; nothing is decided until you press Approve or Reject there. ' + 'The link is yours alone: do not forward it.';

  const text = [
    intro,
    '',
    `Review and decide: ${view.url}`,
    `Link expires: ${formatUtc(view.expiresAt)}`,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    ...quotedBlocks(quoted),
    '',
    outro,
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(intro)}</p>`,
    `<p><a href="${escapeHtml(view.url)}">Review and decide</a> (the link expires ${escapeHtml(formatUtc(view.expiresAt))})</p>`,
    '<table>',
    ...facts.map(([k, v]) => htmlFactRow(k, v)),
    ...quoted.map(([k, v]) => htmlQuotedRow(k, v)),
    '</table>',
    `<p>${escapeHtml(outro)}</p>`,
    '</body></html>',
  ].join('\n');

  return {
    to: [view.approver],
    from: view.from,
    subject: subject.slice(0, 200),
    text,
    html,
    headers: { [APPROVAL_LINK_HEADER]: view.url },
  };
}
