import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisableRuleCommand, EnableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/shared/env-names';
import { writeRuntimeInfo } from '../../lib/cli/runtime-file';
import { runtimeInfoOf } from '../../lib/cli/runtime-info';
import type { LocalRuntimeOptions } from '../../lib/local';
import { runCli, type CliResult } from '../support/cli';
import { E2E_TEST_TIMEOUT_MS, secretValue, startProcure, type E2e } from '../support/e2e-runtime';

/**
 * `procure doctor` run as a user runs it (a child process, `--data-dir`) against the local runtime,
 * whose stand-ins answer the same read-only calls AWS and the vendors do: everything ready, then
 * each failure made the way it happens for real (a placeholder left in secrets.json, a key the
 * vendor does not know, a disabled rule, SES in its sandbox or without the sender verified, an API
 * that does not answer).
 */

const CHECKS = [
  'secret: CoCalc',
  'secret: InterServer',
  'secret: approval signing key',
  'vendor: CoCalc key (user-query)',
  'vendor: InterServer login (api_login)',
  'SES: sender identity',
  'SES: account',
  'API: signed call',
  'trigger rule',
  'state machine',
  'audit table',
  'state table',
];

/** Check name -> 'ok' | 'FAIL', from the report's lines. */
function verdicts(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(ok|FAIL)\s+(\S.*?)\s{2,}\S/.exec(line);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

/** The report with exactly `failing` failed, every other check ok. */
function expectVerdicts(r: CliResult, failing: string[]): void {
  expect(Object.keys(verdicts(r.stdout)).sort()).toEqual([...CHECKS].sort());
  expect(verdicts(r.stdout)).toEqual(Object.fromEntries(CHECKS.map((c) => [c, failing.includes(c) ? 'FAIL' : 'ok'])));
  expect(r.code).toBe(failing.length ? 1 : 0);
}

/** The fix line printed right under a check's line. */
function fixOf(stdout: string, check: string): string {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith('FAIL') && l.includes(`  ${check}  `));
  return /^\s+fix: (.*)$/.exec(lines[i + 1] ?? '')?.[1] ?? '';
}

/** A runtime with `dataDir` and its runtime.json, as `procure local` writes it. */
async function runtimeIn(dataDir: string, options: LocalRuntimeOptions = {}): Promise<E2e> {
  const e2e = await startProcure({ dataDir, ...options });
  writeRuntimeInfo(runtimeInfoOf(e2e.rt, process.pid), dataDir);
  return e2e;
}

describe('procure doctor against the local runtime', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  const dirs: string[] = [];
  const runtimes: E2e[] = [];
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'procure-doctor-'));
    dirs.push(d);
    return d;
  };

  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  describe('a ready runtime', () => {
    let dir: string;
    let e2e: E2e;

    beforeAll(async () => {
      dir = newDir();
      e2e = await runtimeIn(dir);
      runtimes.push(e2e);
    });

    it('passes every check, one line each, exit 0, and never prints a secret value', async () => {
      const r = await runCli(['doctor', '--data-dir', dir]);
      expect(r.stderr).toBe('');
      expectVerdicts(r, []);
      expect(r.stdout).toMatch(/^procure doctor: the local runtime \(.*runtime\.json\), API http:\/\/127\.0\.0\.1:\d+\n/);
      expect(r.stdout).toMatch(/ok\s+vendor: CoCalc key \(user-query\)\s+signed in at http:\/\/127\.0\.0\.1:\d+\/api\/v2 as account \S+/);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`all ${CHECKS.length} checks passed`);
      const cocalc = JSON.parse(await secretValue(e2e.rt, 'CocalcCheckout', ENV.COCALC_SECRET_ARN)) as { apiKey: string };
      const interserver = JSON.parse(await secretValue(e2e.rt, 'InterserverBuy', ENV.INTERSERVER_SECRET_ARN)) as { password: string };
      const signing = await secretValue(e2e.rt, 'RequestApproval', ENV.SIGNING_SECRET_ARN);
      for (const secret of [cocalc.apiKey, interserver.password, signing]) {
        expect(secret.length).toBeGreaterThanOrEqual(12);
        expect(r.stdout + r.stderr).not.toContain(secret);
      }
    });

    it('--json gives every check with name, ok and detail, and the overall verdict', async () => {
      const r = await runCli(['doctor', '--data-dir', dir, '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { ok: boolean; target: string; checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }> };
      expect(report.ok).toBe(true);
      expect(report.target).toBe('local');
      expect(report.checks.map((c) => c.name)).toEqual(CHECKS);
      for (const c of report.checks) expect(c).toEqual({ name: c.name, ok: true, detail: expect.stringMatching(/\S/) });
    });

    it('a disabled trigger rule fails with the enable-rule command, and passes again once enabled', async () => {
      const events = new EventBridgeClient({ ...e2e.rt.clientConfig('aws'), maxAttempts: 1 });
      const { name, bus } = runtimeInfoOf(e2e.rt, process.pid).resources!.triggerRule;
      try {
        await events.send(new DisableRuleCommand({ Name: name, EventBusName: bus }));
        const r = await runCli(['doctor', '--data-dir', dir]);
        expectVerdicts(r, ['trigger rule']);
        expect(r.stdout).toContain(`${name} on bus ${bus} is DISABLED: request events start no purchase`);
        expect(fixOf(r.stdout, 'trigger rule')).toBe(`aws events enable-rule --name ${name} --event-bus-name ${bus}`);
      } finally {
        await events.send(new EnableRuleCommand({ Name: name, EventBusName: bus }));
        events.destroy();
      }
      expectVerdicts(await runCli(['doctor', '--data-dir', dir]), []);
    });

    it('an API that does not answer fails the API check with how to start it', async () => {
      const r = await runCli(['doctor', '--data-dir', dir, '--api', 'http://127.0.0.1:9']);
      expectVerdicts(r, ['API: signed call']);
      expect(r.stdout).toMatch(/FAIL\s+API: signed call\s+cannot reach the procure API at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
      expect(fixOf(r.stdout, 'API: signed call')).toBe('start the local runtime (npm start), or pass the --api it prints');
    });
  });

  it('a placeholder left in the CoCalc secret fails that secret (the vendor check is not tried), and an approver SES cannot reach fails the account', async () => {
    // A runtime writes its secrets file at its first start; a copy with the placeholder put back in
    // (as a deploy leaves the secret) is the secrets file of a fresh data folder.
    const first = newDir();
    await (await startProcure({ dataDir: first, inMemory: false })).close();
    const stored = JSON.parse(readFileSync(join(first, 'secrets.json'), 'utf8')) as { secrets: Record<string, { arn: string; value: string }> };
    const cocalc = Object.values(stored.secrets).find((s) => s.value.includes('"apiKey"'))!;
    cocalc.value = JSON.stringify({ apiKey: 'REPLACE_ME' });
    const dir = newDir();
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify(stored), { mode: 0o600 });
    const e2e = await runtimeIn(dir, { inMemory: false, ses: { sandbox: true, verifiedIdentities: ['procure@example.com'] } });
    runtimes.push(e2e);

    const r = await runCli(['doctor', '--data-dir', dir]);
    expectVerdicts(r, ['secret: CoCalc', 'vendor: CoCalc key (user-query)', 'SES: account']);
    expect(r.stdout).toMatch(/FAIL\s+secret: CoCalc\s+still the deploy-time placeholder REPLACE_ME in apiKey/);
    expect(fixOf(r.stdout, 'secret: CoCalc')).toBe(`edit ${dir}/secrets.json (the entry whose arn is ${cocalc.arn}) and restart the local runtime`);
    expect(r.stdout).toMatch(/FAIL\s+vendor: CoCalc key \(user-query\)\s+not checked: the CoCalc secret is not usable/);
    expect(r.stdout).toMatch(/FAIL\s+SES: account\s+in the SES sandbox: approval mails to approver@example\.com are refused/);
    expect(fixOf(r.stdout, 'SES: account')).toMatch(
      /^request production access .* or verify each approver: aws sesv2 create-email-identity --email-identity approver@example\.com/,
    );
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`3 of ${CHECKS.length} checks failed`);
  });

  it('a key CoCalc does not know fails the vendor check with its "anonymous" answer, and an unverified sender fails SES', async () => {
    const dir = newDir();
    const e2e = await runtimeIn(dir, { sandboxes: { cocalc: { apiKey: 'sk_revoked0000000000' } }, ses: { verifiedIdentities: ['approver@example.com'] } });
    runtimes.push(e2e);

    const r = await runCli(['doctor', '--data-dir', dir]);
    expectVerdicts(r, ['vendor: CoCalc key (user-query)', 'SES: sender identity']);
    expect(r.stdout).toMatch(
      /FAIL\s+vendor: CoCalc key \(user-query\)\s+http:\/\/127\.0\.0\.1:\d+\/api\/v2 did not sign the key in: VendorAuthError: CoCalc user-query: FATAL: anonymous get queries not allowed for table 'accounts'/,
    );
    expect(fixOf(r.stdout, 'vendor: CoCalc key (user-query)')).toMatch(
      /^create an API key of the paying account \(CoCalc: Account -> API key\) and store it: edit /,
    );
    expect(r.stdout).toMatch(/FAIL\s+SES: sender identity\s+procure@example\.com is not a verified identity \(nor is its domain\)/);
    expect(fixOf(r.stdout, 'SES: sender identity')).toBe(
      'aws sesv2 create-email-identity --email-identity procure@example.com, then open the link SES mails there (or verify its domain)',
    );
    const key = (JSON.parse(await secretValue(e2e.rt, 'CocalcCheckout', ENV.COCALC_SECRET_ARN)) as { apiKey: string }).apiKey;
    expect(r.stdout + r.stderr).not.toContain(key);
  });
});
