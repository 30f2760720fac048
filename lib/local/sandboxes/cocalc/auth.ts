/**
 * The API key in an `Authorization` header (cocalc-api-v2.md §1): `Bearer <key>`, or
 * `Basic base64("<key>:")` whose username is the key. Anything else (another scheme, no header)
 * gives no key, and the request runs anonymously: the vendor catches the error, it never sends 401.
 */
export function apiKeyFromAuthorization(header: string | undefined): string | undefined {
  const m = /^(\S+)\s+(.*)$/.exec(header?.trim() ?? '');
  if (!m) return undefined;
  const [, scheme, value] = m;
  if (scheme === 'Bearer') return value || undefined;
  if (scheme === 'Basic')
    return (
      Buffer.from(value ?? '', 'base64')
        .toString('utf8')
        .split(':')[0] || undefined
    );
  return undefined;
}
