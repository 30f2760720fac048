import { request } from 'undici';
import { repairApprovalId, repairSignature } from '../../lambdas/core/approval-link-repair';

/**
 * Acts on an approval link the way a person does: open it (GET, the confirm page, which changes
 * nothing), then press Approve or Reject (POST of the page's form). Used by `procure approve`,
 * `procure reject` and the demo.
 */
export interface ApprovalOutcome {
  status: number;
  /** Page text without tags, on one line. */
  text: string;
  /** The same text, one line per heading, paragraph or list item (for printing). */
  lines: string[];
}

/**
 * The parts of an approval link, and its canonical form. A link a mail client mangled (a trailing
 * slash, `)`, `.`, `>`, `&amp;`) is taken back to its canonical form (approval-link-repair.ts).
 */
export function parseApprovalLink(link: string): { postUrl: string; sig: string; approvalId: string; url: string } {
  let u: URL;
  try {
    u = new URL(link.trim());
  } catch {
    throw new Error(`not an approval link: ${link}`);
  }
  const m = /^(.*\/approvals\/)([^/]+)\/*$/.exec(u.pathname);
  let rawId: string | undefined;
  try {
    rawId = m?.[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
  } catch {
    rawId = m?.[2];
  }
  const rawSig = u.searchParams.get('sig') ?? u.searchParams.get('amp;sig') ?? undefined;
  const approvalId = repairApprovalId(rawId) ?? rawId;
  const sig = repairSignature(rawSig) ?? rawSig;
  if (!m?.[1] || !approvalId || !sig) throw new Error('not an approval link: expected <base>/approvals/<id>?sig=<signature>');
  const postUrl = `${u.origin}${m[1]}${encodeURIComponent(approvalId)}`;
  return { postUrl, sig, approvalId, url: `${postUrl}?sig=${encodeURIComponent(sig)}` };
}

/** The visible text of a page (no head, scripts or styles), entities decoded, whitespace collapsed. */
export function pageText(html: string): string {
  return pageLines(html).join(' ');
}

/** The visible text of a page, one entry per block (heading, paragraph, list term or item). */
export function pageLines(html: string): string[] {
  return html
    .replace(/<head[\s>][\s\S]*?<\/head>/gi, '')
    .replace(/<(script|style|title)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<\/(h\d|p|div|li|dd|tr|table|ul|ol|dl)>|<br\s*\/?>/gi, '\n')
    .replace(/<\/dt>/gi, ': ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** The GET and the POST answer alike. */
async function outcomeOf(res: { statusCode: number; body: { text(): Promise<string> } }): Promise<ApprovalOutcome> {
  const lines = pageLines(await res.body.text());
  return { status: res.statusCode, text: lines.join(' '), lines };
}

export async function openApprovalPage(link: string): Promise<ApprovalOutcome> {
  return outcomeOf(await request(link, { method: 'GET' }));
}

/** GET the confirm page first (as a browser would), then POST the decision. */
export async function decideApproval(link: string, decision: 'approve' | 'reject', comment?: string): Promise<ApprovalOutcome> {
  const { postUrl, sig, url } = parseApprovalLink(link);
  const page = await openApprovalPage(url);
  if (page.status !== 200) return page;
  const form = new URLSearchParams({ sig, decision });
  if (comment) form.set('comment', comment);
  const res = await request(postUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'procure-cli' },
    body: form.toString(),
  });
  return outcomeOf(res);
}
