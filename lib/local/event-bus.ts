import { randomUUID } from 'node:crypto';
import { resolveIntrinsics, type CfnTemplate, type ResolveEnv } from './asl-from-template';
import { AwsServiceError } from './aws-error';
import type { JsonOperation } from './aws-endpoint';
import { matchesPattern, validatePattern, type EventPattern } from './event-pattern';
import type { FunctionDirectory } from './lambda-functions';

/**
 * The local EventBridge: PutEvents builds the full event envelope, keeps it in `emitted`, matches
 * the template's `AWS::Events::Rule` patterns (event-pattern.ts) and delivers to the targets:
 * Lambda targets are invoked asynchronously (retried twice on error, like Lambda async invokes,
 * with shortened delays), state machine targets start an execution. Input / InputPath /
 * InputTransformer are applied.
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
}

export interface LocalRule {
  logicalId: string;
  name: string;
  busName: string;
  pattern: EventPattern;
  enabled: boolean;
  targets: RuleTarget[];
}

/** Rules with an EventPattern from the template; unsupported targets are reported as warnings. */
export function rulesFromTemplate(
  template: CfnTemplate,
  env: ResolveEnv,
  functions: FunctionDirectory,
  stateMachineArns: Set<string>,
): { rules: LocalRule[]; warnings: string[] } {
  const rules: LocalRule[] = [];
  const warnings: string[] = [];
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
      };
      const fn = /:lambda:/.test(arn) ? functions.find(arn) : undefined;
      if (fn) targets.push({ ...common, kind: 'lambda', ref: fn.logicalId });
      else if (stateMachineArns.has(arn)) targets.push({ ...common, kind: 'state-machine', ref: arn });
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
  return { rules, warnings };
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
  /** Delays before the two retries of a failed Lambda delivery (AWS: about 1 and 2 minutes). */
  retryDelaysMs?: [number, number];
  log?: (line: string) => void;
}

export interface DeliveryFailure {
  eventId: string;
  rule: string;
  target: string;
  error: string;
}

export class EventBus {
  /** Every event put on any bus, in order. */
  readonly emitted: BusEvent[] = [];
  readonly deliveryFailures: DeliveryFailure[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: EventBusOptions) {}

  /** PutEvents: per-entry results, as the API answers them. */
  putEvents(entries: Array<Record<string, unknown>>): { FailedEntryCount: number; Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }> } {
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10");
    }
    let failed = 0;
    const results = entries.map((entry) => {
      const checked = checkEntry(entry);
      if ('ErrorCode' in checked) {
        failed += 1;
        return checked;
      }
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
      this.emitted.push({ ...event, busName });
      this.route(event, busName);
      return { EventId: event.id };
    });
    return { FailedEntryCount: failed, Entries: results };
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

  close(): void {
    this.closed = true;
  }

  private route(event: BusEvent, busName: string): void {
    for (const rule of this.options.rules) {
      if (!rule.enabled || rule.busName !== busName || !matchesPattern(rule.pattern, event)) continue;
      for (const target of rule.targets) {
        let input: unknown;
        try {
          input = targetInput(target, event);
        } catch (err) {
          this.deliveryFailures.push({ eventId: event.id, rule: rule.name, target: target.id, error: (err as Error).message });
          continue;
        }
        if (target.kind === 'state-machine') {
          try {
            this.options.startExecution(target.ref, typeof input === 'string' ? input : JSON.stringify(input));
          } catch (err) {
            this.deliveryFailures.push({ eventId: event.id, rule: rule.name, target: target.id, error: `${(err as Error).name}: ${(err as Error).message}` });
          }
          continue;
        }
        const p = this.deliver(rule, target, event, input).finally(() => this.inflight.delete(p));
        this.inflight.add(p);
      }
    }
  }

  private async deliver(rule: LocalRule, target: RuleTarget, event: BusEvent, input: unknown): Promise<void> {
    const delays = this.options.retryDelaysMs ?? [1000, 2000];
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.options.invokeAsync(target.ref, input);
        return;
      } catch (err) {
        const e = err as Error;
        this.options.log?.(`event ${event.id} -> ${rule.name}/${target.id}: attempt ${attempt + 1} failed: ${e.name}: ${e.message}`);
        const delay = delays[attempt];
        if (delay === undefined || this.closed) {
          this.deliveryFailures.push({ eventId: event.id, rule: rule.name, target: target.id, error: `${e.name}: ${e.message}` });
          return;
        }
        await new Promise((r) => setTimeout(r, delay).unref());
        if (this.closed) return;
      }
    }
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
  const parts = path.replace(/^\$\.?/, '').split('.').filter(Boolean);
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
