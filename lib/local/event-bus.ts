import { AwsServiceError } from './aws-error';
import type { JsonOperation } from './aws-endpoint';
import { Deliveries, type DeliveryOptions, deliveryKey, type Route } from './event-delivery';
import { DeadLetterStore, type DeliveryFailure } from './event-dead-letters';
import { acceptEntry, type BusEvent } from './event-entries';
import type { JournalEntry } from './event-journal';
import { matchesPattern } from './event-pattern';
import type { LocalRule } from './event-rules';
import { KEPT_IN_MEMORY, keepLatest } from './keep-latest';

// Split by concern (each file says why): the rules read from the template (event-rules.ts),
// PutEvents entries (event-entries.ts), target input (event-target-input.ts) and delivery with
// retries and dead letters (event-delivery.ts).

export interface EventBusOptions extends DeliveryOptions {
  rules: LocalRule[];
  region: string;
  accountId: string;
  /** Where failed deliveries go. @default an in-memory store */
  deadLetters?: DeadLetterStore;
  /** @default Date.now */
  now?: () => number;
  /** How many of the latest events {@link EventBus.emitted} keeps in memory. @default KEPT_IN_MEMORY (100) */
  emittedRetention?: number;
}

/** PutEvents' answer for one entry. */
type EntryResult = { EventId?: string; ErrorCode?: string; ErrorMessage?: string };

/** An entry PutEvents accepted: its event, its bus, and the rule targets it goes to. */
interface Accepted {
  index: number;
  event: BusEvent;
  busName: string;
  routes: Route[];
}

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
export class EventBus {
  /**
   * The latest events put on any bus (up to `emittedRetention`), oldest first: bounded, so a long
   * run does not keep every event in memory (the journal keeps undelivered ones on disk).
   */
  readonly emitted: BusEvent[] = [];
  private readonly deadLetters: DeadLetterStore;
  private readonly now: () => number;
  private readonly deliveries: Deliveries;

  constructor(private readonly options: EventBusOptions) {
    this.deadLetters = options.deadLetters ?? new DeadLetterStore();
    this.now = options.now ?? Date.now;
    this.deliveries = new Deliveries(options, this.deadLetters, this.now);
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
  putEvents(entries: Array<Record<string, unknown>>): { FailedEntryCount: number; Entries: EntryResult[] } {
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new AwsServiceError(
        'ValidationException',
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10",
      );
    }
    const acceptedAt = this.now();
    const accepted: Accepted[] = [];
    const results: EntryResult[] = entries.map((entry, index) => {
      const taken = acceptEntry(entry, this.options);
      if ('ErrorCode' in taken) return taken;
      accepted.push({ index, event: taken.event, busName: taken.busName, routes: this.routesOf(taken.event, taken.busName) });
      return { EventId: taken.event.id };
    });
    const journaled = this.journal(accepted, acceptedAt, results);
    for (const a of accepted) {
      if (a.routes.length && !journaled) continue;
      this.emitted.push({ ...a.event, busName: a.busName });
      keepLatest(this.emitted, this.options.emittedRetention ?? KEPT_IN_MEMORY);
      for (const route of a.routes) this.deliveries.start(route, a.event, acceptedAt);
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
          this.deliveries.deadLetter(
            { key, rule: { name: rule }, target: { id: target } },
            event,
            'Local.TargetGone: the template no longer has this rule target',
          );
          continue;
        }
        this.deliveries.start(route, event, entry.acceptedAt);
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
    await this.deliveries.idle();
  }

  /** No further attempt starts; held and retrying deliveries stop where they are and stay pending in the journal. */
  close(): void {
    this.deliveries.close();
  }

  /**
   * Writes the accepted entries that match a target to the journal (when there is one). False when
   * that failed: those entries are answered InternalFailure in `results`, and not delivered.
   */
  private journal(accepted: Accepted[], acceptedAt: number, results: EntryResult[]): boolean {
    const routed = accepted.filter((a) => a.routes.length > 0);
    if (!this.options.journal || !routed.length) return true;
    try {
      this.options.journal.accept(
        routed.map((a) => ({ id: a.event.id, busName: a.busName, acceptedAt, event: { ...a.event }, deliveries: a.routes.map((r) => r.key) })),
      );
      return true;
    } catch (err) {
      this.options.log?.(`events: could not journal ${routed.length} entr(ies), answered InternalFailure: ${(err as Error).message}`);
      for (const a of routed)
        results[a.index] = { ErrorCode: 'InternalFailure', ErrorMessage: 'the event could not be stored; nothing was delivered, retry the entry' };
      return false;
    }
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
}
