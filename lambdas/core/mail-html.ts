import { escapeHtml } from './approval-page';
import { escapeControls, safeLines } from './safe-text';

/**
 * Table rows of procure's HTML mails (approval requests, requester notices): every value escaped
 * for HTML, control characters shown escaped, people's text quoted line by line under its label.
 */

/** One `label: value` fact. */
export function htmlFactRow(label: string, value: string): string {
  return `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(escapeControls(value))}</td></tr>`;
}

/** Text a person wrote, quoted under its label (the HTML twin of safe-text's quotedBlocks). */
export function htmlQuotedRow(label: string, text: string): string {
  return `<tr><th align="left" valign="top">${escapeHtml(label)}</th><td><blockquote style="margin:0;white-space:pre-wrap">${safeLines(text).map(escapeHtml).join('<br>')}</blockquote></td></tr>`;
}
