import { describe, expect, it } from 'vitest';
import type { OutboxMail, StepEvent } from '../../lib/local';
import { approvalLinkOf, runtimeLog, stepPrinter } from '../../lib/cli/runtime-report';

describe('runtimeLog', () => {
  const lines = [
    '[Intake] {"level":"INFO","message":"purchase request accepted"}',
    'sandbox: CoCalc API v2 at http://127.0.0.1:1/api/v2',
    'local runtime up in 900 ms: API http://127.0.0.1:3000, 12 functions, 1 state machine(s)',
    'bundles: 13 checked against their CDK asset hashes in 60 ms',
    'synth: cdk synth into /work/cdk.out ...',
    'event e-1 -> Rule/Target: attempt 1 failed: Error: boom',
    'bundles: Checkout (Checkout1A2B3C4D): bundle refused, not loaded: /work/cdk.out/asset.1 is writable by others (mode 0757)',
  ];

  it('hides handler logs and what the banner already says, and shows what needs attention', () => {
    const shown: string[] = [];
    const log = runtimeLog(false, (l) => shown.push(l));
    for (const l of lines) log(l);
    expect(shown).toEqual([
      '  runtime: synth: cdk synth into /work/cdk.out ...',
      '  runtime: event e-1 -> Rule/Target: attempt 1 failed: Error: boom',
      '  runtime: bundles: Checkout (Checkout1A2B3C4D): bundle refused, not loaded: /work/cdk.out/asset.1 is writable by others (mode 0757)',
    ]);
  });

  it('shows everything with --verbose', () => {
    const shown: string[] = [];
    const log = runtimeLog(true, (l) => shown.push(l));
    for (const l of lines) log(l);
    expect(shown).toEqual(lines.map((l) => `  runtime: ${l}`));
  });
});

describe('stepPrinter', () => {
  it('announces a start, prints finished states, and hands the end of an execution to onEnd', () => {
    const printed: string[] = [];
    const ended: string[] = [];
    const onStep = stepPrinter(
      (s) => ended.push(s.type),
      (l) => printed.push(l),
    );
    const base = { executionArn: 'arn:x:pur-0123456789abcdef', executionName: 'pur-0123456789abcdef', timestamp: 0 };
    const steps: StepEvent[] = [
      { ...base, type: 'ExecutionStarted' },
      { ...base, type: 'StateEntered', state: 'PreparePurchase' },
      { ...base, type: 'StateExited', state: 'PreparePurchase', outcome: 'succeeded', durationMs: 12 },
      { ...base, type: 'ExecutionFailed', outcome: 'FAILED' },
    ];
    for (const s of steps) onStep(s);
    expect(printed).toEqual(['  [pur-01234567] workflow started (execution pur-0123456789abcdef)', '  [pur-01234567] PreparePurchase    succeeded    12 ms']);
    expect(ended).toEqual(['ExecutionFailed']);
  });
});

describe('approvalLinkOf', () => {
  it('takes the link procure put in the X-Procure-Approval-Link header, never one from the body', () => {
    const genuine = 'http://127.0.0.1:3000/approvals/abc?sig=xyz';
    const mail = {
      headers: { 'x-procure-approval-link': genuine },
      links: ['https://evil.example/approvals/fake?sig=forged', genuine],
    } as unknown as OutboxMail;
    expect(approvalLinkOf(mail)).toBe(genuine);
    // A mail without the header has no approval link, whatever its body holds.
    expect(approvalLinkOf({ headers: {}, links: [genuine] } as unknown as OutboxMail)).toBeUndefined();
    expect(approvalLinkOf({ headers: { 'x-procure-approval-link': 'http://127.0.0.1:3000/approvals/{id}' } } as unknown as OutboxMail)).toBeUndefined();
  });
});
