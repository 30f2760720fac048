import { request } from 'undici';

/**
 * Acts on an approval link the way a person does: open it (GET, the confirm page, which changes
 * nothing), then press Approve or Reject (POST of the page's form). Used by `procure approve`,
 * `procure reject` and the demo.
 */
export interface ApprovalOutcome {
  status: number;
  /** Page text without tags, for printing. */
  text: string;
}

export function parseApprovalLink(link: string): { postUrl: string; sig: string; approvalId: string } {
  let u: URL;
  try {
    u = new URL(link);
  } catch {
    throw new Error(`not an approval link: ${link}`);
  }
  const m = /\/approvals\/([^/]+)$/.exec(u.pathname);
  const sig = u.searchParams.get('sig');
  if (!m?.[1] || !sig) throw new Error('not an approval link: expected <base>/approvals/<id>?sig=<signature>');
  return { postUrl: `${u.origin}${u.pathname}`, sig, approvalId: decodeURIComponent(m[1]) };
}

export function pageText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export async function openApprovalPage(link: string): Promise<ApprovalOutcome> {
  const res = await request(link, { method: 'GET' });
  return { status: res.statusCode, text: pageText(await res.body.text()) };
}

/** GET the confirm page first (as a browser would), then POST the decision. */
export async function decideApproval(link: string, decision: 'approve' | 'reject', comment?: string): Promise<ApprovalOutcome> {
  const { postUrl, sig } = parseApprovalLink(link);
  const page = await openApprovalPage(link);
  if (page.status !== 200) return page;
  const form = new URLSearchParams({ sig, decision });
  if (comment) form.set('comment', comment);
  const res = await request(postUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'procure-cli' },
    body: form.toString(),
  });
  return { status: res.statusCode, text: pageText(await res.body.text()) };
}
