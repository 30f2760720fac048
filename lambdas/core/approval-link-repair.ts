/**
 * Mail clients and people mangle the end of a link: a trailing slash, a `)` `.` `>` or quote picked
 * up from the surrounding text, an HTML-escaped `&amp;` / `&gt;`. Approval ids (22 characters) and
 * signatures (43) are fixed-length base64url, whose alphabet holds none of those characters, so
 * the genuine value is recovered without guessing. Anything else stays refused.
 */

/** What may follow an id or a signature and still be taken for harmless mangling. */
const TRAILING_JUNK = /^(?:[/)\]}>.,;:!?'"*]|&gt;|&amp;|&quot;|&#39;|%29|%3e|%22|%27|%5d|%7d)*$/i;
const ID = /^([A-Za-z0-9_-]{22})(.*)$/s;
const SIG = /^([A-Za-z0-9_-]{43})(.*)$/s;

function repair(raw: string | undefined, shape: RegExp): string | undefined {
  if (raw === undefined) return undefined;
  const m = shape.exec(raw);
  return m?.[1] !== undefined && TRAILING_JUNK.test(m[2] ?? '') ? m[1] : undefined;
}

/** The approval id inside a possibly mangled path segment, or undefined when it is not one. */
export function repairApprovalId(raw: string | undefined): string | undefined {
  return repair(raw, ID);
}

/** The signature inside a possibly mangled `sig` value, or undefined when it is not one. */
export function repairSignature(raw: string | undefined): string | undefined {
  return repair(raw, SIG);
}

/**
 * The relative reference from a requested approval path (e.g. `/prod/approvals/<id>)/`) to the
 * canonical link `<id>?sig=<sig>`: one `../` per trailing slash, so any stage or base-path prefix
 * is kept without the handler knowing it.
 */
export function canonicalApprovalRef(requestPath: string, approvalId: string, sig: string): string {
  const trailingSlashes = /\/*$/.exec(requestPath)?.[0].length ?? 0;
  return `${'../'.repeat(trailingSlashes)}${encodeURIComponent(approvalId)}?sig=${encodeURIComponent(sig)}`;
}
