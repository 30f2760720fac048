/**
 * Refusal reasons are built from requester input (zod names every unknown key, every bad value),
 * so a hostile body could make them megabytes long. Stored (DynamoDB items: 400 KB) and published
 * (EventBridge entries: 256 KB) reasons are capped in count and length; the cut is said, not silent.
 */
export const MAX_REASONS = 20;
export const MAX_REASON_CHARS = 300;
export const MAX_MESSAGE_CHARS = 2000;

/** `text` cut to `max` characters, marked when cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` ... (${text.length - max} more characters)`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

/** At most {@link MAX_REASONS} reasons of at most {@link MAX_REASON_CHARS} each; a last line counts the rest. */
export function capReasons(reasons: readonly string[]): string[] {
  const kept = reasons.slice(0, MAX_REASONS).map((r) => capText(r, MAX_REASON_CHARS));
  if (reasons.length > MAX_REASONS) kept.push(`... and ${reasons.length - MAX_REASONS} more reason(s)`);
  return kept;
}
