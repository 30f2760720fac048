import { AwsServiceError } from './aws-error';
import type { DeadLetterStore } from './event-dead-letters';
import type { BusEvent } from './event-entries';
import type { EventJournal } from './event-journal';
import { DEFAULT_ASYNC_INVOKE, type LocalRule, type RuleTarget } from './event-rules';
import { targetInput } from './event-target-input';
import { RUNTIME_CLOSED_ERROR_TYPE, THROTTLED_ERROR_TYPE } from './lambda-errors';

/**
 * Delivery of accepted events to their rule targets (event-bus.ts routes them here): a state
 * machine target starts an execution; a Lambda target is invoked asynchronously, retried on error
 * as its `AWS::Lambda::EventInvokeConfig` says with shortened delays, a throttled attempt retried
 * without counting, as Lambda does. What fails for good is dead-lettered; each delivery is marked
 * done in the journal only once it succeeded or was dead-lettered, so one cut off by a stop is
 * delivered again at the next start. Apart from the bus so that PutEvents' bookkeeping and the
 * retry loop each read on their own.
 */

/** What deliveries need from the bus's options (see EventBusOptions). */
export interface DeliveryOptions {
  invokeAsync: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  startExecution: (stateMachineArn: string, input: string) => void;
  /**
   * Delays before the first and second retry of a failed Lambda delivery (AWS: about 1 and 2
   * minutes); also the wait before retrying a throttled attempt (the first value).
   */
  retryDelaysMs?: [number, number];
  /** Accepted entries on disk before PutEvents answers (none: in memory only). */
  journal?: EventJournal;
  /** A test fault: holds every delivery (see {@link DeliveryHold}). */
  hold?: DeliveryHold;
  log?: (line: string) => void;
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

/** One rule target an event goes to, with its key in the journal. */
export interface Route {
  rule: LocalRule;
  target: RuleTarget;
  key: string;
}

/** Enough of a route to dead-letter a delivery (a journal entry's target the template no longer has included). */
interface DeadLetterRoute {
  key: string;
  rule: Pick<LocalRule, 'name'>;
  target: Pick<RuleTarget, 'id' | 'asyncInvoke' | 'deadLetterArn'>;
}

/** A delivery's key in the journal: `<rule logical id>/<target id>`. */
export function deliveryKey(rule: LocalRule, target: RuleTarget): string {
  return `${rule.logicalId}/${target.id}`;
}

/** The deliveries of one bus: started, retried, settled in the journal, and stopped by close(). */
export class Deliveries {
  private readonly inflight = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly deadLetters: DeadLetterStore,
    private readonly now: () => number,
  ) {}

  /** Starts delivering `event` (accepted at `acceptedAt`) to one route. */
  start(route: Route, event: BusEvent, acceptedAt: number): void {
    const p = this.deliver(route, event, acceptedAt).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
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

  /** Records the delivery as given up on, then settles it in the journal (unless the record failed: it stays pending). */
  deadLetter(route: DeadLetterRoute, event: BusEvent, error: string): void {
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
      this.options.log?.(`events: holding ${event.id} -> ${rule.name}/${target.id} for ${hold.ms} ms before delivery (eventDeliveryHold)`);
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
    await this.deliverToLambda(route, event, acceptedAt, input);
  }

  /** A Lambda target's attempts: retried as its async invoke config says, dead-lettered past its retries or maximum age. */
  private async deliverToLambda(route: Route, event: BusEvent, acceptedAt: number, input: unknown): Promise<void> {
    const { rule, target } = route;
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
        `events: holding ${event.id} -> ${route.rule.name}/${route.target.id} for ${hold.ms} ms after delivery, before marking it done (eventDeliveryHold)`,
      );
      await this.sleep(hold.ms);
      if (this.closed) return;
    }
    this.options.journal?.settle(event.id, route.key, 'delivered');
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
