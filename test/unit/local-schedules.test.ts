import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOLVE_ENV, type CfnTemplate } from '../../lib/local/cfn-template';
import { FunctionDirectory, lambdasFromTemplate } from '../../lib/local/lambda-functions';
import { ratePeriodMs, schedulesFromTemplate, ScheduleTimer, type LocalSchedule } from '../../lib/local/schedules';

/**
 * The local runtime's timer for EventBridge Scheduler schedules (lib/local/schedules.ts): which
 * schedules of a template it runs, with which input and period, and how the timer behaves.
 */
const fn = (name: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Handler: 'index.handler', Runtime: 'nodejs24.x' },
  Metadata: { 'aws:cdk:path': `Stack/${name}/Resource` },
});
const schedule = (props: Record<string, unknown>) => ({ Type: 'AWS::Scheduler::Schedule', Properties: { FlexibleTimeWindow: { Mode: 'OFF' }, ...props } });
const target = (logicalId: string, extra: Record<string, unknown> = {}) => ({
  Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] },
  RoleArn: 'arn:aws:iam::1:role/r',
  ...extra,
});

const TEMPLATE: CfnTemplate = {
  Resources: {
    ReconcileD51D4F4F: fn('Reconcile'),
    Other0000AAAA: fn('Other'),
    Every10: schedule({ ScheduleExpression: 'rate(10 minutes)', Target: target('ReconcileD51D4F4F', { Input: '{"source":"procure.reconciler"}' }) }),
    Hourly: schedule({ ScheduleExpression: 'rate(1 hour)', Target: target('Other0000AAAA') }),
    Cron: schedule({ ScheduleExpression: 'cron(0 12 * * ? *)', Target: target('ReconcileD51D4F4F') }),
    Off: schedule({ ScheduleExpression: 'rate(1 minute)', State: 'DISABLED', Target: target('ReconcileD51D4F4F') }),
    Queue: schedule({ ScheduleExpression: 'rate(1 minute)', Target: { Arn: 'arn:aws:sqs:us-east-1:1:q', RoleArn: 'r' } }),
  },
};

function fromTemplate(hosted: (id: string) => boolean = () => true) {
  const functions = new FunctionDirectory(
    lambdasFromTemplate({ assemblyDir: '/nonexistent', stackName: 'Stack', templatePath: '', template: TEMPLATE }, DEFAULT_RESOLVE_ENV),
  );
  return schedulesFromTemplate(TEMPLATE, DEFAULT_RESOLVE_ENV, functions, hosted);
}

describe('schedules in the template', () => {
  it('reads rate expressions in minutes, hours and days, and nothing else', () => {
    expect(ratePeriodMs('rate(1 minute)')).toBe(60_000);
    expect(ratePeriodMs('rate(10 minutes)')).toBe(600_000);
    expect(ratePeriodMs('rate(2 hours)')).toBe(7_200_000);
    expect(ratePeriodMs('rate(1 day)')).toBe(86_400_000);
    expect(ratePeriodMs('cron(0 12 * * ? *)')).toBeUndefined();
    expect(ratePeriodMs('at(2026-07-10T12:00:00)')).toBeUndefined();
  });

  it('runs the enabled rate schedules whose target is a hosted function, with their input', () => {
    const { schedules, warnings } = fromTemplate();
    expect(schedules).toEqual<LocalSchedule[]>([
      {
        logicalId: 'Every10',
        expression: 'rate(10 minutes)',
        periodMs: 600_000,
        functionLogicalId: 'ReconcileD51D4F4F',
        input: { source: 'procure.reconciler' },
      },
      { logicalId: 'Hourly', expression: 'rate(1 hour)', periodMs: 3_600_000, functionLogicalId: 'Other0000AAAA', input: {} },
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(/^schedule Cron: only rate\(\.\.\.\) expressions run locally/),
      expect.stringMatching(/^schedule Queue: its target arn:aws:sqs:.* is not a function the local runtime hosts/),
    ]);
  });

  it('skips, with a warning, a schedule whose function has no code to run locally', () => {
    const { schedules, warnings } = fromTemplate((id) => id !== 'Other0000AAAA');
    expect(schedules.map((s) => s.logicalId)).toEqual(['Every10']);
    expect(warnings).toContainEqual(expect.stringMatching(/^schedule Hourly: .* is not a function the local runtime hosts/));
  });
});

describe('the timer', () => {
  const every = (logicalId: string): LocalSchedule => ({
    logicalId,
    expression: 'rate(1 minute)',
    periodMs: 60_000,
    functionLogicalId: `${logicalId}Fn`,
    input: { n: logicalId },
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('runs nothing at start, then each schedule every period (shortened), with its input', async () => {
    const calls: Array<[string, unknown]> = [];
    const timer = new ScheduleTimer([every('A')], async (id, event) => void calls.push([id, event]), { periodMs: 40 });
    timer.start();
    expect(calls).toEqual([]);
    await sleep(200);
    timer.close();
    const seen = calls.length;
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(calls[0]).toEqual(['AFn', { n: 'A' }]);
    await sleep(100);
    expect(calls).toHaveLength(seen);
  });

  it('skips a tick while the previous run of the same schedule is still going', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const timer = new ScheduleTimer(
      [every('Slow')],
      async () => {
        running += 1;
        runs += 1;
        maxRunning = Math.max(maxRunning, running);
        await sleep(150);
        running -= 1;
      },
      { periodMs: 20 },
    );
    timer.start();
    await sleep(400);
    timer.close();
    expect(maxRunning).toBe(1);
    expect(runs).toBeLessThanOrEqual(3);
  });

  it('runs every schedule on demand and reports results and errors', async () => {
    const timer = new ScheduleTimer([every('Ok'), every('Bad')], async (id) => {
      if (id === 'BadFn') throw Object.assign(new Error('it broke'), { name: 'Boom' });
      return { done: id };
    });
    expect(await timer.runAll()).toEqual([
      { schedule: 'Ok', functionLogicalId: 'OkFn', ok: true, result: { done: 'OkFn' } },
      { schedule: 'Bad', functionLogicalId: 'BadFn', ok: false, error: 'Boom: it broke' },
    ]);
    timer.close();
    expect(await timer.runAll()).toEqual([
      expect.objectContaining({ ok: false, error: expect.stringMatching(/closed/) }),
      expect.objectContaining({ ok: false }),
    ]);
  });

  it('lets an on-demand run wait for one already in progress, then run again', async () => {
    const order: string[] = [];
    let n = 0;
    const timer = new ScheduleTimer(
      [every('A')],
      async () => {
        const k = (n += 1);
        order.push(`start ${k}`);
        await sleep(50);
        order.push(`end ${k}`);
        return k;
      },
      { periodMs: 10 },
    );
    timer.start();
    await sleep(25);
    const [run] = await timer.runAll();
    timer.close();
    expect(run?.result).toBe(2);
    expect(order.slice(0, 4)).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});
