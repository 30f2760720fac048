import { describe, expect, it } from 'vitest';
import { fail, pass } from '../../lib/cli/doctor/check';
import { formatReport, runChecks } from '../../lib/cli/doctor/runner';

describe("procure doctor's check runner", () => {
  it('keeps the groups in their order, one result per check, and is ok only when every check is', async () => {
    const slow = { name: 'slow', run: () => new Promise<ReturnType<typeof pass>[]>((r) => setTimeout(() => r([pass('a', 'fine')]), 20)) };
    const report = await runChecks([slow, { name: 'fast', run: async () => [pass('b', 'fine'), fail('c', 'broken', 'mend it')] }]);
    expect(report.checks.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(report.ok).toBe(false);
    expect((await runChecks([slow])).ok).toBe(true);
  });

  it('turns a group that throws into one failed check under its name, and the others still run', async () => {
    const report = await runChecks([
      { name: 'SES', run: async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })) },
      { name: 'API', run: async () => [pass('API: signed call', 'answered')] },
    ]);
    expect(report.checks).toEqual([
      { name: 'SES', ok: false, detail: 'the check failed: ThrottlingException: Rate exceeded', fix: expect.stringMatching(/run it again/) },
      { name: 'API: signed call', ok: true, detail: 'answered' },
    ]);
  });

  it('never lets a value it was told is secret through, in a detail or a fix', async () => {
    const key = 'sk_live_0123456789abcdef';
    const report = await runChecks([{ name: 'vendor', run: async () => [fail('vendor: CoCalc', `refused ${key}`, `store a key other than ${key}`)] }], () => [
      key,
    ]);
    expect(JSON.stringify(report)).not.toContain(key);
    expect(report.checks[0]).toMatchObject({ detail: 'refused [secret]', fix: 'store a key other than [secret]' });
  });
});

describe("procure doctor's report", () => {
  it('prints one aligned line per check, the fix under each failure only, and the count', () => {
    const lines = formatReport(
      { ok: false, checks: [pass('trigger rule', 'ENABLED'), fail('SES: account', 'in the sandbox', 'request production access')] },
      'procure doctor: test',
    );
    expect(lines).toEqual([
      'procure doctor: test',
      'ok    trigger rule  ENABLED',
      'FAIL  SES: account  in the sandbox',
      '                    fix: request production access',
      '1 of 2 checks failed',
    ]);
    expect(formatReport({ ok: true, checks: [pass('x', 'y')] }, 'h').at(-1)).toBe('all 1 checks passed');
  });

  it('shows terminal escapes in what a service answered as text, never acting on them', () => {
    const lines = formatReport({ ok: false, checks: [fail('API: signed call', 'answered \u001b]8;;http://evil\u0007click', 'see \u202eabc')] }, 'h');
    expect(lines.join('\n')).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(lines[1]).toContain('\\x1b]8;;http://evil');
  });
});
