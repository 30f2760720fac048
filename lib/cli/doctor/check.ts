/**
 * One line of `procure doctor`'s report: what was checked, whether it holds, what was found, and
 * for a failure what to do about it. Never a secret value in any field (the runner scrubs the ones
 * it read, as a second guard).
 */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** For a failure: the command or step that fixes it. */
  fix?: string;
}

export function pass(name: string, detail: string): CheckResult {
  return { name, ok: true, detail };
}

export function fail(name: string, detail: string, fix: string): CheckResult {
  return { name, ok: false, detail, fix };
}

/** An AWS SDK error as a short text: its name and message, never its request. */
export function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string };
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${e.message ?? String(err)}${e.code && !e.message?.includes(e.code) ? ` (${e.code})` : ''}`;
}
