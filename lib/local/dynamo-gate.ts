import type { ServerResponse } from 'node:http';

/** How long closing, or a transaction, waits for dynalite to answer what it was handed (each answer takes milliseconds). */
export const DRAIN_WAIT_MS = 5_000;

/**
 * Who may reach dynalite, for the local DynamoDB front (dynamo-front.ts): the requests handed over
 * and not answered yet, and the transaction running, if any. A transaction runs alone: it starts
 * once those handed over before it are answered (or {@link DRAIN_WAIT_MS} passed), and requests
 * that arrive meanwhile wait until it ends (dynamo-transactions.ts).
 */
export class StoreGate {
  private readonly inFlight = new InFlight();
  private running: Promise<void> | undefined;

  /** Resolves when no transaction runs. */
  async open(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Counts `res` as handed over until it is answered. Call right after {@link open}, with no await between. */
  track(res: ServerResponse): void {
    this.inFlight.track(res);
  }

  /** Runs `fn` alone, answering on `res` (counted like a request handed over). Call right after {@link open}. */
  async alone<T>(res: ServerResponse, fn: () => Promise<T>): Promise<T> {
    let end = (): void => undefined;
    this.running = new Promise<void>((r) => (end = r));
    try {
      await this.inFlight.drained(DRAIN_WAIT_MS);
      this.inFlight.track(res);
      return await fn();
    } finally {
      this.running = undefined;
      end();
    }
  }

  /** Resolves once every request handed over is answered, or after `maxMs`. */
  drained(maxMs: number): Promise<void> {
    return this.inFlight.drained(maxMs);
  }
}

/**
 * The requests handed to dynalite that it has not answered yet. Counted by dynalite's `res.end`,
 * not the response's 'close' (as LambdaHost.drain waits): a client that gives up closes the
 * response while dynalite is still working on the store.
 */
class InFlight {
  private count = 0;
  private readonly waiting: Array<() => void> = [];

  track(res: ServerResponse): void {
    this.count += 1;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    let answered = false;
    res.end = ((...args: unknown[]) => {
      if (!answered) {
        answered = true;
        this.count -= 1;
        if (this.count === 0) for (const wake of this.waiting.splice(0)) wake();
      }
      return end(...args);
    }) as ServerResponse['end'];
  }

  /** Resolves once every tracked request is answered, or after `maxMs`. */
  async drained(maxMs: number): Promise<void> {
    if (this.count === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
