/**
 * Redaction of secret-looking data, shared by the logger and the audit log (defence in depth: the
 * callers should never pass secrets in the first place). Pure; no AWS or env.
 */

/** Keys whose values are never logged or stored in the audit trail (case-insensitive). */
const SECRET_KEY_PATTERN = /token|^sig$|signature|api[-_]?key|password|passwd|secret|authorization|cookie|credential|private[-_]?key/i;

/** `sig=<value>` inside a URL or text: approval-link signatures. */
const SIG_PARAM_PATTERN = /([?&;\s]sig=)[^&#\s"'<>]+/gi;
/**
 * A long unbroken base64/base64url run. Step Functions task tokens are hundreds of such characters;
 * nothing procure legitimately audits (ids, hashes, amounts, messages) looks like that.
 */
const LONG_OPAQUE_PATTERN = /[A-Za-z0-9+/_=-]{200,}/g;

/** Placeholder written instead of a redacted value. */
export const REDACTED = '[REDACTED]';

/** True when a property with this name must not be logged or stored in the audit trail. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/**
 * Replaces every occurrence of each known secret (an API key, a password) in `text` with
 * `placeholder`; empty secrets are skipped. For text built from a vendor's reply or a transport
 * error, where the secret values are known but their position is not.
 */
export function scrubSecrets(text: string, secrets: readonly string[], placeholder: string = REDACTED): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join(placeholder), text);
}

/** Removes link signatures and token-like runs from free text. */
export function redactText(text: string): string {
  return text.replace(SIG_PARAM_PATTERN, `$1${REDACTED}`).replace(LONG_OPAQUE_PATTERN, REDACTED);
}

/**
 * Deep copy of `value` in which every secret-looking key's value is {@link REDACTED}; with
 * `scrubText`, string values also go through {@link redactText}. Arrays, nesting and cycles are
 * handled; Dates are kept; Errors become `{name, message, ...own props}`.
 */
export function redact<T>(value: T, options: { scrubText?: boolean } = {}): T {
  return redactValue(value, new WeakMap(), options.scrubText ?? false) as T;
}

function redactValue(value: unknown, seen: WeakMap<object, unknown>, scrubText: boolean): unknown {
  if (typeof value === 'string') return scrubText ? redactText(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  const existing = seen.get(value);
  if (existing !== undefined) return existing;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(redactValue(v, seen, scrubText));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  if (value instanceof Error) {
    out.name = value.name;
    out.message = scrubText ? redactText(value.message) : value.message;
  }
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) ? REDACTED : redactValue(v, seen, scrubText);
  }
  return out;
}
