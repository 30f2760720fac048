import { resolveString } from './cfn-intrinsics';
import type { CfnTemplate, ResolveEnv } from './cfn-template';
import type { FunctionDirectory } from './lambda-functions';

/**
 * The template's EventBridge Scheduler schedules that invoke one of its Lambda functions
 * (`AWS::Scheduler::Schedule` with a `rate(...)` expression and a function ARN as target), run by
 * a timer in the local runtime: the same synthesized function, invoked at the schedule's rate with
 * the schedule's input, as Scheduler would. Found generically in the template (procure has two,
 * the reconciler and the approval follow-ups), so a new schedule cost no code here.
 *
 * Scheduler's first run comes one period after the schedule is created, and so does the timer's:
 * starting the runtime runs nothing. A run that is still going when the next one is due skips it
 * (one runs at a time per schedule); `runAll()` runs every schedule now, for tests and operators.
 */
export interface LocalSchedule {
  logicalId: string;
  /** `rate(10 minutes)` */
  expression: string;
  /** The expression's period. */
  periodMs: number;
  /** Logical id of the target function. */
  functionLogicalId: string;
  /** The target's Input, parsed (Scheduler sends `{}` when there is none). */
  input: unknown;
}

/** One invocation of a schedule's target. */
export interface ScheduleRun {
  schedule: string;
  functionLogicalId: string;
  ok: boolean;
  /** The function's result, or its error as `name: message`. */
  result?: unknown;
  error?: string;
}

const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The rate expression's period in ms; undefined for cron(...) and at(...) expressions. */
export function ratePeriodMs(expression: string): number | undefined {
  const m = RATE.exec(expression.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!.replace(/s$/, '')]!;
}

/** The schedules the local runtime can run, and warnings for those it cannot. */
export function schedulesFromTemplate(
  template: CfnTemplate,
  env: ResolveEnv,
  functions: Pick<FunctionDirectory, 'find'>,
  hosted: (logicalId: string) => boolean,
): { schedules: LocalSchedule[]; warnings: string[] } {
  const schedules: LocalSchedule[] = [];
  const warnings: string[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Scheduler::Schedule') continue;
    const props = resource.Properties ?? {};
    if (props.State === 'DISABLED') continue;
    const target = (props.Target ?? {}) as { Arn?: unknown; Input?: unknown };
    let arn: string;
    try {
      arn = resolveString(target.Arn, template, env);
    } catch {
      warnings.push(`schedule ${logicalId}: its target ARN cannot be resolved locally; it does not run`);
      continue;
    }
    const fn = functions.find(arn);
    if (!fn || !hosted(fn.logicalId)) {
      warnings.push(`schedule ${logicalId}: its target ${arn} is not a function the local runtime hosts; it does not run`);
      continue;
    }
    const expression = typeof props.ScheduleExpression === 'string' ? props.ScheduleExpression : '';
    const periodMs = ratePeriodMs(expression);
    if (periodMs === undefined) {
      warnings.push(`schedule ${logicalId}: only rate(...) expressions run locally, not ${JSON.stringify(expression)}`);
      continue;
    }
    let input: unknown = {};
    if (target.Input !== undefined) {
      try {
        input = JSON.parse(resolveString(target.Input, template, env));
      } catch {
        warnings.push(`schedule ${logicalId}: its Input is not JSON; it runs with {}`);
      }
    }
    schedules.push({ logicalId, expression, periodMs, functionLogicalId: fn.logicalId, input });
  }
  return { schedules, warnings };
}

export interface ScheduleTimerOptions {
  /** Every schedule's period instead of its rate (tests). */
  periodMs?: number;
  log?: (line: string) => void;
}

/** Runs the schedules' targets periodically through `invoke` (the LambdaHost). */
export class ScheduleTimer {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<ScheduleRun>>();
  private closed = false;

  constructor(
    readonly schedules: LocalSchedule[],
    private readonly invoke: (logicalId: string, event: unknown) => Promise<unknown>,
    private readonly options: ScheduleTimerOptions = {},
  ) {}

  /** Arms one timer per schedule; the first run comes one period from now. */
  start(): void {
    for (const s of this.schedules) {
      const period = this.options.periodMs ?? s.periodMs;
      const timer = setInterval(() => {
        if (!this.running.has(s.logicalId)) void this.run(s);
      }, period);
      // The runtime's servers keep the process alive; a schedule alone should not.
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Runs every schedule now (after a run already in progress finishes) and reports each. */
  async runAll(): Promise<ScheduleRun[]> {
    return Promise.all(
      this.schedules.map(async (s) => {
        while (this.running.has(s.logicalId)) await this.running.get(s.logicalId);
        return this.run(s);
      }),
    );
  }

  /** Stops the timers. A run in progress is not waited for: its invocation ends when the host closes. */
  close(): void {
    this.closed = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  private run(s: LocalSchedule): Promise<ScheduleRun> {
    if (this.closed)
      return Promise.resolve({
        schedule: s.logicalId,
        functionLogicalId: s.functionLogicalId,
        ok: false,
        error: 'Local.RuntimeClosed: the local runtime is closed',
      });
    const log = this.options.log;
    const run = this.invoke(s.functionLogicalId, s.input).then(
      (result): ScheduleRun => {
        log?.(`schedule: ${s.logicalId} ran ${s.functionLogicalId}: ${JSON.stringify(result)}`);
        return { schedule: s.logicalId, functionLogicalId: s.functionLogicalId, ok: true, result };
      },
      (err: unknown): ScheduleRun => {
        const error = `${(err as Error).name}: ${(err as Error).message}`;
        log?.(`schedule: ${s.logicalId} -> ${s.functionLogicalId} failed: ${error}`);
        return { schedule: s.logicalId, functionLogicalId: s.functionLogicalId, ok: false, error };
      },
    );
    const tracked = run.finally(() => {
      if (this.running.get(s.logicalId) === tracked) this.running.delete(s.logicalId);
    });
    this.running.set(s.logicalId, tracked);
    return tracked;
  }
}
