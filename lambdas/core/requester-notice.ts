import { escapeHtml } from './approval-page';
import { vendorLabel } from './vendor-names';
import { formatUsd } from './money';
import type { Mail } from './ports';
import type { Vendor } from './purchase-request';
import { plainReason, type EndFacts } from './requester-reasons';
import { escapeControls, quotedBlocks } from './safe-text';
import { htmlFactRow, htmlQuotedRow } from './mail-html';

/**
 * The mails to the person who asked for a purchase (issue #13, "requester notices"): one when it is
 * approved, one when it ends. Pure. Built from ids, amounts, the quote's item line, the requester's
 * own reason and, for a rejection, the approver's comment; never from stored reasons, error
 * messages, task tokens, links or secrets. The mail carries no link at all.
 *
 * Text written by people (the item line, the reason, the comment) only ever appears indented under
 * its label, its controls escaped, so it cannot start a line that looks like one of procure's own
 * (`Cost:`), and the HTML part escapes it and links nothing.
 */

/** The two notices a purchase can send: each is sent at most once (core/notify-requester.ts). */
export type NoticeKind = 'decision' | 'outcome';

/** What happened, as the notice tells it. */
export type NoticeOutcome = { status: 'APPROVED'; approver: string } | { status: 'COMPLETED'; licenseId?: string } | (EndFacts & { comment?: string });

export interface RequesterNoticeView {
  purchaseId: string;
  requestId: string;
  vendor: Vendor;
  requester: { name: string; email: string };
  /** The requester's own reason for the purchase. */
  reason: string;
  /** The quote's one-line item summary, when it got that far. */
  item?: string;
  amountUsd?: number;
  outcome: NoticeOutcome;
}

/** Only an approval is a decision on its own; every other outcome ends the purchase. */
export function noticeKind(outcome: NoticeOutcome): NoticeKind {
  return outcome.status === 'APPROVED' ? 'decision' : 'outcome';
}

const HEADLINES: Record<NoticeOutcome['status'], string> = {
  APPROVED: 'was approved',
  COMPLETED: 'is complete',
  REJECTED: 'was rejected',
  EXPIRED: 'expired without a decision',
  INVALID: 'could not be made',
  FAILED: 'did not go through',
  NEEDS_ATTENTION: 'is being checked',
};

/** The opening sentences: what happened, in plain words. */
function story(view: RequesterNoticeView, vendor: string): string {
  const o = view.outcome;
  if (o.status === 'APPROVED') {
    return `${escapeControls(o.approver)} approved it. procure is buying it from ${vendor} now; you will get another mail when it is done.`;
  }
  if (o.status === 'COMPLETED') return `procure bought it from ${vendor}${o.licenseId ? ` and checked that the license is there` : ''}.`;
  return plainReason({ ...o, ...(o.approver !== undefined ? { approver: escapeControls(o.approver) } : {}) });
}

/** procure's own facts, one `Label: value` line each. */
function facts(view: RequesterNoticeView, vendor: string): Array<[string, string]> {
  const o = view.outcome;
  const rows: Array<[string, string | undefined]> = [
    ['Vendor', vendor],
    // Only what was approved or bought is a cost; otherwise it is what the vendor quoted.
    [o.status === 'APPROVED' || o.status === 'COMPLETED' ? 'Cost' : 'Quoted cost', view.amountUsd !== undefined ? formatUsd(view.amountUsd) : undefined],
    ['License', o.status === 'COMPLETED' ? o.licenseId : undefined],
    ['Purchase', view.purchaseId],
    ['Request', view.requestId],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}

/** People's text, each shown under its label. */
function quoted(view: RequesterNoticeView): Array<[string, string]> {
  const o = view.outcome;
  const comment = o.status === 'REJECTED' ? o.comment : undefined;
  const rows: Array<[string, string | undefined]> = [
    ['What it is for', view.item],
    ['Your reason', view.reason],
    ["The approver's comment, as they wrote it", comment],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1].trim() !== '');
}

/** Builds the notice to the requester. */
export function renderRequesterNotice(view: RequesterNoticeView, from: string): Mail {
  const vendor = vendorLabel(view.vendor);
  const headline = `Your ${vendor} purchase ${HEADLINES[view.outcome.status]}`;
  // requestId is limited to [A-Za-z0-9._:-] by the schema; escaped again for records stored before.
  const subject = `${headline} (${escapeControls(view.requestId)})`;
  const greeting = `Hello ${escapeControls(view.requester.name)},`;
  const intro = story(view, vendor);
  const rows = facts(view, vendor);
  const texts = quoted(view);
  const outro = 'This mail is for your information; there is nothing to click. Questions go to the approvers.';

  const text = [greeting, '', `${headline}.`, intro, '', ...rows.map(([k, v]) => `${k}: ${escapeControls(v)}`), '', ...quotedBlocks(texts), '', outro, ''].join(
    '\n',
  );
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p><strong>${escapeHtml(headline)}.</strong> ${escapeHtml(intro)}</p>`,
    '<table>',
    ...rows.map(([k, v]) => htmlFactRow(k, v)),
    ...texts.map(([k, v]) => htmlQuotedRow(k, v)),
    '</table>',
    `<p>${escapeHtml(outro)}</p>`,
    '</body></html>',
  ].join('\n');

  return { to: [view.requester.email], from, subject: subject.slice(0, 200), text, html };
}
