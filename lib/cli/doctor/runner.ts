import { scrubSecrets } from '../../../lambdas/shared/redact';
import { escapeControls } from '../../../lambdas/core/safe-text';
import { checkApi } from './api-check';
import { errorText, fail, type CheckResult } from './check';
import { checkResources } from './resource-checks';
import { checkSecrets } from './secret-checks';
import { checkSes } from './ses-checks';
import type { DoctorTarget } from './target';
import { checkVendors } from './vendor-checks';

/** One group of checks; a group that throws becomes one failed check under its name. */
export interface CheckGroup {
  name: string;
  run(): Promise<CheckResult[]>;
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

/** Runs the groups at once, in their order in the report, and scrubs every `sensitive` value from what they say. */
export async function runChecks(groups: readonly CheckGroup[], sensitive: () => readonly string[] = () => []): Promise<DoctorReport> {
  const results = await Promise.all(
    groups.map(async (g) => {
      try {
        return await g.run();
      } catch (err) {
        return [fail(g.name, `the check failed: ${errorText(err)}`, 'run it again; if it persists, check the AWS credentials and network')];
      }
    }),
  );
  const secrets = [...sensitive()];
  const scrub = (text: string): string => scrubSecrets(text, secrets, '[secret]');
  const checks = results.flat().map((c) => ({ ...c, detail: scrub(c.detail), ...(c.fix !== undefined ? { fix: scrub(c.fix) } : {}) }));
  return { ok: checks.every((c) => c.ok), checks };
}

/** Every check of a target: the secrets first (the vendor checks sign in with them), the rest meanwhile. */
export async function doctor(t: DoctorTarget): Promise<DoctorReport> {
  const sensitive: string[] = [];
  const secrets = checkSecrets(t).then((r) => {
    sensitive.push(...r.values.sensitive);
    return r;
  });
  return runChecks(
    [
      { name: 'secrets', run: async () => (await secrets).checks },
      { name: 'vendors', run: async () => checkVendors(t, (await secrets).values) },
      { name: 'SES', run: () => checkSes(t) },
      { name: 'API', run: () => checkApi(t) },
      { name: 'resources', run: () => checkResources(t) },
    ],
    () => sensitive,
  );
}

/** One line per check (`ok` / `FAIL`), the fix under each failure, then a count; terminal-safe. */
export function formatReport(report: DoctorReport, heading: string): string[] {
  const width = Math.max(...report.checks.map((c) => c.name.length), 0);
  const lines = [escapeControls(heading)];
  for (const c of report.checks) {
    lines.push(`${c.ok ? 'ok  ' : 'FAIL'}  ${escapeControls(c.name).padEnd(width)}  ${escapeControls(c.detail)}`);
    if (!c.ok && c.fix) lines.push(`${' '.repeat(width + 8)}fix: ${escapeControls(c.fix)}`);
  }
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push(failed ? `${failed} of ${report.checks.length} checks failed` : `all ${report.checks.length} checks passed`);
  return lines;
}
