import { randomUUID } from 'node:crypto';
import { defaultRef, resolveIntrinsics, type CfnTemplate, type ResolveEnv } from './asl-from-template';
import { AwsServiceError } from './aws-error';
import type { JsonOperation } from './aws-endpoint';
import { DeadLetterStore, type DeliveryFailure } from './event-dead-letters';
import type { JournalEntry, EventJournal } from './event-journal';
import { matchesPattern, validatePattern, type EventPattern } from './event-pattern';
import { RUNTIME_CLOSED_ERROR_TYPE, THROTTLED_ERROR_TYPE } from './lambda-host';
import type { FunctionDirectory } from './lambda-functions';

export type { DeliveryFailure } from './event-dead-letters';

/**
 * The local EventBridge: PutEvents builds the full event envelope, keeps it in `emitted`, matches
 * the template's `AWS::Events::Rule` patterns (event-pattern.ts) and delivers to the targets:
 * Lambda targets are invoked asynchronously, retried on error as the function's
 * `AWS::Lambda::EventInvokeConfig` says (Lambda's default: twice), with shortened delays; a
 * throttled attempt is retried without counting, as Lambda does; state machine targets start an
 * execution. Input / InputPath / InputTransformer are applied. What fails after the retries is
 * dead-lettered (event-dead-letters.ts).
 *
 * With a journal (event-journal.ts; every runtime with a data folder), each entry that matches a
 * target is on disk before PutEvents answers, and each target is marked done only once its
 * invocation succeeded or the entry was dead-lettered; {@link EventBus.redeliver} delivers at the
 * next start what a stopped or killed runtime had accepted and not finished. Delivery is at least
 * once, as on AWS: a target may see an event again, with the same id.
 */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  /** Not part of the envelope: the bus the event was put on (kept for tests and the CLI). */
  busName?: string;
}

export interface RuleTarget {
  id: string;
  arn: string;
  kind: 'lambda' | 'state-machine';
  /** Function logical id or state machine ARN. */
  ref: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  /** The target's DeadLetterConfig queue ARN. */
  deadLetterArn?: string;
  /** A Lambda target's async invocation settings (the function's AWS::Lambda::EventInvokeConfig, else Lambda's defaults). */
  asyncInvoke?: AsyncInvokeConfig;
}

/** What AWS::Lambda::EventInvokeConfig sets for a function's asynchronous invocations. */
export interface AsyncInvokeConfig {
  /** Retries after a failed attempt (0-2). */
  maximumRetryAttempts: number;
  /** An event older than this is dead-lettered instead of (re)tried. */
  maximumEventAgeSeconds: number;
  /** DestinationConfig.OnFailure ARN. */
  onFailure?: string;
}

/** Lambda's defaults for asynchronous invocations. */
export const DEFAULT_ASYNC_INVOKE: AsyncInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 };

export interface LocalRule {
  logicalId: string;
  name: string;
  busName: string;
  pattern: EventPattern;
  enabled: boolean;
  targets: RuleTarget[];
}

/**
 * Rules with an EventPattern from the template; unsupported targets are reported as warnings, except
 * the stack's own SNS topics (operator notifications, AWS only), listed in `notEmulated`.
 */
export function rulesFromTemplate(
  template: CfnTemplate,
  env: ResolveEnv,
  functions: FunctionDirectory,
  stateMachineArns: Set<string>,
): { rules: LocalRule[]; warnings: string[]; notEmulated: string[] } {
  const rules: LocalRule[] = [];
  const warnings: string[] = [];
  const notEmulated: string[] = [];
  const asyncConfigs = asyncInvokeConfigsFromTemplate(template, env, functions);
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const props = resolveIntrinsics(resource.Properties ?? {}, template, env) as Record<string, unknown>;
    if (!props.EventPattern) {
      warnings.push(`rule ${logicalId} has no EventPattern (scheduled rules do not run locally)`);
      continue;
    }
    const pattern = (typeof props.EventPattern === 'string' ? JSON.parse(props.EventPattern) : props.EventPattern) as EventPattern;
    validatePattern(pattern, logicalId);
    const targets: RuleTarget[] = [];
    for (const t of (props.Targets as Array<Record<string, unknown>> | undefined) ?? []) {
      const arn = String(t.Arn);
      const common = {
        id: String(t.Id),
        arn,
        ...(typeof t.Input === 'string' ? { input: t.Input } : {}),
        ...(typeof t.InputPath === 'string' ? { inputPath: t.InputPath } : {}),
        ...(t.InputTransformer ? { inputTransformer: t.InputTransformer as RuleTarget['inputTransformer'] & object } : {}),
        ...(typeof (t.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn === 'string'
          ? { deadLetterArn: (t.DeadLetterConfig as { Arn: string }).Arn }
          : {}),
      };
      const fn = /:lambda:/.test(arn) ? functions.find(arn) : undefined;
      if (fn) targets.push({ ...common, kind: 'lambda', ref: fn.logicalId, asyncInvoke: asyncConfigs.get(fn.logicalId) ?? DEFAULT_ASYNC_INVOKE });
      else if (stateMachineArns.has(arn)) targets.push({ ...common, kind: 'state-machine', ref: arn });
      else if (isStackTopic(arn, template, env))
        notEmulated.push(`rule ${logicalId} target ${common.id}: SNS topic ${arn} (operator notifications reach people on AWS only)`);
      else warnings.push(`rule ${logicalId} target ${common.id} (${arn}) is not a Lambda function or state machine of this stack: not delivered locally`);
    }
    rules.push({
      logicalId,
      name: typeof props.Name === 'string' ? props.Name : logicalId,
      busName: busNameOf(typeof props.EventBusName === 'string' ? props.EventBusName : undefined),
      pattern,
      enabled: props.State === undefined || props.State === 'ENABLED',
      targets,
    });
  }
  return { rules, warnings, notEmulated };
}

/** Whether `arn` is the ARN of an `AWS::SNS::Topic` of this template (as resolved locally). */
function isStackTopic(arn: string, template: CfnTemplate, env: ResolveEnv): boolean {
  return Object.entries(template.Resources).some(([id, r]) => r.Type === 'AWS::SNS::Topic' && defaultRef(id, r, env, template) === arn);
}

/** Function logical id -> its AWS::Lambda::EventInvokeConfig (unqualified or $LATEST). */
export function asyncInvokeConfigsFromTemplate(template: CfnTemplate, env: ResolveEnv, functions: FunctionDirectory): Map<string, AsyncInvokeConfig> {
  const out = new Map<string, AsyncInvokeConfig>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
    const props = resolveIntrinsics(resource.Properties ?? {}, template, env) as Record<string, unknown>;
    if (props.Qualifier !== undefined && props.Qualifier !== '$LATEST') continue;
    const fn = typeof props.FunctionName === 'string' ? functions.find(props.FunctionName) : undefined;
    if (!fn) continue;
    const onFailure = (props.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
    out.set(fn.logicalId, {
      maximumRetryAttempts: typeof props.MaximumRetryAttempts === 'number' ? props.MaximumRetryAttempts : DEFAULT_ASYNC_INVOKE.maximumRetryAttempts,
      maximumEventAgeSeconds: typeof props.MaximumEventAgeInSeconds === 'number' ? props.MaximumEventAgeInSeconds : DEFAULT_ASYNC_INVOKE.maximumEventAgeSeconds,
      ...(typeof onFailure === 'string' ? { onFailure } : {}),
    });
  }
  return out;
}

function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const m = /:event-bus\/(.+)$/.exec(nameOrArn);
  return m?.[1] ?? nameOrArn;
}

export interface EventBusOptions {
  rules: LocalRule[];
  region: string;
  accountId: string;
  invokeAsync: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  startExecution: (stateMachineArn: string, input: string) => void;
  /**
   * Delays before the first and second retry of a failed Lambda delivery (AWS: about 1 and 2
   * minutes); also the wait before retrying a throttled attempt (the first value).
   */
  retryDelaysMs?: [number, number];
  /** Accepted entries on disk before PutEvents answers (none: in memory only). */
  journal?: EventJournal;
  /** Where failed deliveries go. @default an in-memory store */
  deadLetters?: DeadLetterStore;
  /** A test fault: holds every delivery (see {@link DeliveryHold}). */
  hold?: DeliveryHold;
  /** @default Date.now */
  now?: () => number;
  log?: (line: string) => void;
  /** How many of the latest events {@link EventBus.emitted} keeps in memory. @default 1000 */
  emittedRetention?: number;
}

/**
 * A test fault (`procure local`: PROCURE_LOCAL_EVENT_HOLD, see lib/local/README.md): every
 * delivery waits `ms` either before its first attempt (`before-invoke`: accepted, nothing run yet)
 * or after its successful attempt, before it is marked done (`after-invoke`: the target ran, the
 * journal still says pending). close() ends the wait and the delivery stays pending.
 */
export interface DeliveryHold {
  at: 'before-invoke' | 'after-invoke';
  ms: number;
}

interface Route {
  rule: LocalRule;
  target: RuleTarget;
  key: string;
}

/** A delivery's key in the journal: `<rule logical id>/<target id>`. */
function deliveryKey(rule: LocalRule, target: RuleTarget): string {
  return `${rule.logicalId}/${target.id}`;
}

const DEFAULT_EMITTED_RETENTION = 1000;

export class EventBus {
  /**
   * The latest events put on any bus (up to `emittedRetention`), oldest first: bounded, so a long
   * run does not keep every event in memory (the journal keeps undelivered ones on disk).
   */
  readonly emitted: BusEvent[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private readonly deadLetters: DeadLetterStore;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: EventBusOptions) {
    this.deadLetters = options.deadLetters ?? new DeadLetterStore();
    this.now = options.now ?? Date.now;
  }

  /** Rule-target deliveries given up on (this run's and, with a data folder, earlier runs'): what a DLQ would hold. */
  get deliveryFailures(): DeliveryFailure[] {
    return this.deadLetters.letters;
  }

  /**
   * PutEvents: per-entry results, as the API answers them. With a journal, the entries that match
   * a target are written and fsynced before this returns; if that fails they are answered
   * `InternalFailure` and not delivered.
   */
  putEvents(entries: Array<Record<string, unknown>>): {
    FailedEntryCount: number;
    Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
  } {
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new AwsServiceError(
        'ValidationException',
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10",
      );
    }
    const acceptedAt = this.now();
    const accepted: Array<{ index: number; event: BusEvent; busName: string; routes: Route[] }> = [];
    const results: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }> = entries.map((entry, index) => {
      const checked = checkEntry(entry);
      if ('ErrorCode' in checked) return checked;
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': String(entry.DetailType),
        source: String(entry.Source),
        account: this.options.accountId,
        time: formatTime(entry.Time),
        region: this.options.region,
        resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
        detail: checked.detail,
      };
      const busName = busNameOf(typeof entry.EventBusName === 'string' ? entry.EventBusName : undefined);
      accepted.push({ index, event, busName, routes: this.routesOf(event, busName) });
      return { EventId: event.id };
    });
    const routed = accepted.filter((a) => a.routes.length > 0);
    let journaled = true;
    if (this.options.journal && routed.length) {
      try {
        this.options.journal.accept(
          routed.map((a) => ({ id: a.event.id, busName: a.busName, acceptedAt, event: { ...a.event }, deliveries: a.routes.map((r) => r.key) })),
        );
      } catch (err) {
        journaled = false;
        this.options.log?.(`events: could not journal ${routed.length} entr(ies), answered InternalFailure: ${(err as Error).message}`);
        for (const a of routed)
          results[a.index] = { ErrorCode: 'InternalFailure', ErrorMessage: 'the event could not be stored; nothing was delivered, retry the entry' };
      }
    }
    for (const a of accepted) {
      if (a.routes.length && !journaled) continue;
      this.emitted.push({ ...a.event, busName: a.busName });
      const over = this.emitted.length - (this.options.emittedRetention ?? DEFAULT_EMITTED_RETENTION);
      if (over > 0) this.emitted.splice(0, over);
      for (const route of a.routes) this.startDelivery(route, a.event, acceptedAt);
    }
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /**
   * Delivers what an earlier run accepted and did not finish (the journal's pending entries), to
   * the targets still outstanding; a target the template no longer has, or an event past its
   * function's maximum age, is dead-lettered. Returns the number of deliveries started.
   */
  redeliver(entries: JournalEntry[]): number {
    let started = 0;
    for (const entry of entries) {
      const event = entry.event as unknown as BusEvent;
      for (const key of entry.deliveries) {
        const route = this.routeByKey(key);
        if (!route) {
          const [rule = key, target = ''] = key.split('/');
          this.deadLetter({ key, rule: { name: rule }, target: { id: target } }, event, 'Local.TargetGone: the template no longer has this rule target');
          continue;
        }
        this.startDelivery(route, event, entry.acceptedAt);
        started += 1;
      }
    }
    return started;
  }

  facade(): JsonOperation {
    return (operation, body) => {
      if (operation === 'PutEvents') return this.putEvents(body.Entries as Array<Record<string, unknown>>);
      throw new AwsServiceError('UnknownOperationException', `the local EventBridge facade does not implement ${operation}`);
    };
  }

  /** Resolves when every delivery started so far has finished (including retries). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** No further attempt starts; held and retrying deliveries stop where they are and stay pending in the journal. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.sleepers]) wake();
  }

  private routesOf(event: BusEvent, busName: string): Route[] {
    const routes: Route[] = [];
    for (const rule of this.options.rules) {
      if (!rule.enabled || rule.busName !== busName || !matchesPattern(rule.pattern, event)) continue;
      for (const target of rule.targets) routes.push({ rule, target, key: deliveryKey(rule, target) });
    }
    return routes;
  }

  private routeByKey(key: string): Route | undefined {
    for (const rule of this.options.rules) {
      for (const target of rule.targets) if (deliveryKey(rule, target) === key) return { rule, target, key };
    }
    return undefined;
  }

  private startDelivery(route: Route, event: BusEvent, acceptedAt: number): void {
    const p = this.deliver(route, event, acceptedAt).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /**
   * One target's delivery. Marked done in the journal only when it succeeded or was dead-lettered;
   * a delivery cut off by a stop or close stays pending for the next start. Without a hold, the
   * first attempt starts synchronously (a state machine target's execution exists when PutEvents
   * returns).
   */
  private async deliver(route: Route, event: BusEvent, acceptedAt: number): Promise<void> {
    const { rule, target } = route;
    const hold = this.options.hold;
    if (hold?.at === 'before-invoke') {
      this.options.log?.(`events: holding ${event.id} -> ${rule.name}/${target.id} for ${hold.ms} ms before delivery (PROCURE_LOCAL_EVENT_HOLD)`);
      await this.sleep(hold.ms);
    }
    if (this.closed) return;
    let input: unknown;
    try {
      input = targetInput(target, event);
    } catch (err) {
      this.deadLetter(route, event, (err as Error).message);
      return;
    }
    if (target.kind === 'state-machine') {
      try {
        this.options.startExecution(target.ref, typeof input === 'string' ? input : JSON.stringify(input));
      } catch (err) {
        if (!this.stopped(err)) this.deadLetter(route, event, `${(err as Error).name}: ${(err as Error).message}`);
        return;
      }
      await this.done(route, event);
      return;
    }
    const config = target.asyncInvoke ?? DEFAULT_ASYNC_INVOKE;
    const delays = this.options.retryDelaysMs ?? [1000, 2000];
    const maxAgeMs = config.maximumEventAgeSeconds * 1000;
    for (let failures = 0; ; ) {
      if (this.now() - acceptedAt > maxAgeMs) {
        this.deadLetter(
          route,
          event,
          `EventAgeExceeded: accepted ${Math.round((this.now() - acceptedAt) / 1000)} s ago, over the function's MaximumEventAgeInSeconds (${config.maximumEventAgeSeconds})`,
        );
        return;
      }
      try {
        await this.options.invokeAsync(target.ref, input);
        await this.done(route, event);
        return;
      } catch (err) {
        const e = err as Error;
        if (this.closed || this.stopped(e)) return; // stays pending: delivered at the next start
        if (e.name === THROTTLED_ERROR_TYPE) {
          // Lambda retries throttled async invocations until the event's maximum age, without counting them.
          await this.sleep(delays[0]);
          if (this.closed) return;
          continue;
        }
        failures += 1;
        this.options.log?.(`event ${event.id} -> ${rule.name}/${target.id}: attempt ${failures} failed: ${e.name}: ${e.message}`);
        if (failures > config.maximumRetryAttempts) {
          this.deadLetter(route, event, `${e.name}: ${e.message}`);
          return;
        }
        await this.sleep(delays[failures - 1] ?? delays[delays.length - 1]!);
        if (this.closed) return;
      }
    }
  }

  /** The runtime is stopping or closed: not the target's failure. */
  private stopped(err: unknown): boolean {
    const e = err as { name?: string; code?: string };
    return e.name === RUNTIME_CLOSED_ERROR_TYPE || (err instanceof AwsServiceError && e.code === 'ServiceUnavailable');
  }

  private async done(route: Route, event: BusEvent): Promise<void> {
    const hold = this.options.hold;
    if (hold?.at === 'after-invoke') {
      this.options.log?.(
        `events: holding ${event.id} -> ${route.rule.name}/${route.target.id} for ${hold.ms} ms after delivery, before marking it done (PROCURE_LOCAL_EVENT_HOLD)`,
      );
      await this.sleep(hold.ms);
      if (this.closed) return;
    }
    this.options.journal?.settle(event.id, route.key, 'delivered');
  }

  private deadLetter(
    route: { key: string; rule: Pick<LocalRule, 'name'>; target: Pick<RuleTarget, 'id' | 'asyncInvoke' | 'deadLetterArn'> },
    event: BusEvent,
    error: string,
  ): void {
    const destination = route.target.asyncInvoke?.onFailure ?? route.target.deadLetterArn;
    const { busName: _bus, ...envelope } = event;
    try {
      this.deadLetters.add({
        eventId: event.id,
        rule: route.rule.name,
        target: route.target.id,
        error,
        at: new Date(this.now()).toISOString(),
        ...(destination ? { destination } : {}),
        event: envelope,
      });
    } catch (err) {
      // Not recorded as dead: it stays pending and is tried again at the next start.
      this.options.log?.(`events: could not dead-letter ${event.id} -> ${route.key}: ${(err as Error).message}`);
      return;
    }
    this.options.log?.(`events: ${event.id} -> ${route.rule.name}/${route.target.id} dead-lettered${destination ? ` (${destination})` : ''}: ${error}`);
    this.options.journal?.settle(event.id, route.key, 'dead-lettered');
  }

  /** setTimeout that close() ends early. */
  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleepers.add(wake);
    });
  }
}

/** The entry's parsed Detail, or the PutEvents error for an entry EventBridge would refuse. */
/** EventBridge's PutEvents entry limit (256 KB). */
export const MAX_ENTRY_BYTES = 256 * 1024;

function checkEntry(entry: Record<string, unknown>): { detail: object } | { ErrorCode: string; ErrorMessage: string } {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (typeof entry[field] !== 'string' || !entry[field]) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
    }
  }
  // AWS's entry size: Time (14 bytes when given), Source, DetailType, Detail and each Resource in UTF-8.
  const size =
    (entry.Time !== undefined ? 14 : 0) +
    Buffer.byteLength(String(entry.Source)) +
    Buffer.byteLength(String(entry.DetailType)) +
    Buffer.byteLength(String(entry.Detail)) +
    (Array.isArray(entry.Resources) ? entry.Resources.reduce((n: number, r) => n + Buffer.byteLength(String(r)), 0) : 0);
  if (size > MAX_ENTRY_BYTES) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: `Event entry size ${size} exceeds the maximum of ${MAX_ENTRY_BYTES} bytes.` };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(String(entry.Detail));
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return { detail };
}

function formatTime(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time * 1000) : typeof time === 'string' ? new Date(time) : new Date();
  return (Number.isNaN(d.getTime()) ? new Date() : d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function jsonPath(path: string, root: unknown): unknown {
  if (path === '$') return root;
  const parts = path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean);
  let cur: unknown = root;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function targetInput(target: RuleTarget, event: BusEvent): unknown {
  const { busName: _bus, ...envelope } = event;
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) return jsonPath(target.inputPath, envelope);
  if (target.inputTransformer) {
    const vars: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(target.inputTransformer.InputPathsMap ?? {})) vars[k] = jsonPath(p, envelope);
    const text = target.inputTransformer.InputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, k: string) => {
      if (k === 'aws.events.event.json') return JSON.stringify(envelope);
      if (!(k in vars)) return whole;
      const v = vars[k];
      return typeof v === 'string' ? v : JSON.stringify(v ?? null);
    });
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return envelope;
}
