import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Approval links (local-aws-runtime.md §4.2): `<base>/approvals/<id>?sig=<sig>`. The id is 128
 * random bits and names a server-side record holding the task token, the approver and the expiry;
 * the sig is an HMAC binding the id to that approver and expiry, so a link cannot be guessed,
 * altered, or re-pointed at another approver's record. The link carries nothing else.
 */

/** Key material for the link HMAC (the signing secret from Secrets Manager). */
export type SigningKey = string | Uint8Array;

/** What a signature covers: all three come from the stored approval record when verifying. */
export interface ApprovalLinkClaims {
  approvalId: string;
  approver: string;
  /** ISO-8601 time after which the link no longer decides anything. */
  expiresAt: string;
}

/** 16 random bytes as base64url: exactly 22 characters. */
const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** HMAC-SHA256 (32 bytes) as base64url: exactly 43 characters. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Domain separation: a MAC over this layout can never be confused with any other use of the key. */
const SIGNATURE_CONTEXT = 'procure.approval-link.v1';

/** A new approval id: 128-bit random, URL-safe. */
export function createApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

/** True for a string shaped like {@link createApprovalId}'s output (checked before any lookup). */
export function isApprovalId(value: string): boolean {
  return APPROVAL_ID_PATTERN.test(value);
}

/**
 * Length-prefixed encoding, so no two different claim triples produce the same bytes (a plain
 * join would let "a|b" + "c" collide with "a" + "b|c").
 */
function encodeClaims(claims: ApprovalLinkClaims): Buffer {
  const parts = [SIGNATURE_CONTEXT, claims.approvalId, claims.approver, claims.expiresAt].map((p) => Buffer.from(p, 'utf8'));
  const out: Buffer[] = [];
  for (const p of parts) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(p.length);
    out.push(len, p);
  }
  return Buffer.concat(out);
}

function assertKey(key: SigningKey): void {
  // An empty key would make every signature forgeable; refuse rather than sign with it.
  if (key.length < 16) throw new RangeError('approval signing key must be at least 16 bytes');
}

/** HMAC-SHA256 over id, approver and expiry; base64url (43 characters). */
export function signApprovalLink(claims: ApprovalLinkClaims, key: SigningKey): string {
  assertKey(key);
  return createHmac('sha256', key).update(encodeClaims(claims)).digest('base64url');
}

/**
 * True only when `signature` is the HMAC of these claims. Constant-time comparison; a malformed
 * signature is simply false.
 */
export function verifyApprovalSignature(claims: ApprovalLinkClaims, signature: string, key: SigningKey): boolean {
  if (typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature)) return false;
  // Compare the canonical text, not decoded bytes: base64url's last character has spare bits, so
  // decoding would accept several spellings of one signature.
  const expected = Buffer.from(signApprovalLink(claims, key), 'ascii');
  const given = Buffer.from(signature, 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The approval base URL without trailing slashes: links append `/approvals/<id>` to it. */
export function trimApprovalBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** `<baseUrl>/approvals/<id>?sig=<sig>` (a trailing slash on the base is ignored). */
export function buildApprovalUrl(baseUrl: string, approvalId: string, signature: string): string {
  return `${trimApprovalBaseUrl(baseUrl)}/approvals/${encodeURIComponent(approvalId)}?sig=${encodeURIComponent(signature)}`;
}
