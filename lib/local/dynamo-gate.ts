import type { ServerResponse } from 'node:http';

/** How long closing, or a transaction, waits for dynalite to answer what it was handed (each answer takes milliseconds). */
const DRAIN_WAIT_MS = 5_000;

/**
 * Who may reach dynalite, for the local DynamoDB front (dynamo-front.ts): the requests handed over
 * and not answered yet (counted by dynalite's `res.end`), and the one transaction running, if any.
 * A transaction runs alone: it starts once those handed over before it are answered, and every
 * request or transaction that arrives meanwhile waits until it ends. Each admission checks and
 * takes its place in one synchronous step, so of several waiters woken together only one
 * transaction starts, and no request slips in beside it. Closing refuses everything after it and
 * waits for what was admitted.
 */
export class StoreGate {
  private handedOver = 0;
  private running = false;
  private closed = false;
  private readonly waiting: Array<() => void> = [];

  /** Admits a request to dynalite and counts `res` until it is answered, once no transaction runs; `closed` once closing began. */
  async enter(res: ServerResponse): Promise<'admitted' | 'closed'> {
    return (await this.admit(() => this.track(res))) ? 'admitted' : 'closed';
  }

  /**
   * Runs `fn` alone, answering on `res` (counted like a request handed over), once no other
   * transaction runs and every request handed over is answered. `closed` once closing began;
   * `busy` when those requests were not answered within {@link DRAIN_WAIT_MS} (nothing was run).
   */
  async alone<T>(res: ServerResponse, fn: () => Promise<T>): Promise<T | 'closed' | 'busy'> {
    if (!(await this.admit(() => (this.running = true)))) return 'closed';
    try {
      if (!(await this.until(() => this.handedOver === 0, DRAIN_WAIT_MS))) return 'busy';
      if (this.closed) return 'closed';
      this.track(res);
      return await fn();
    } finally {
      this.running = false;
      this.notify();
    }
  }

  /** Refuses every later admission and waits (up to {@link DRAIN_WAIT_MS}) for the transaction and the requests already admitted. */
  async close(): Promise<void> {
    this.closed = true;
    this.notify();
    await this.until(() => !this.running && this.handedOver === 0, DRAIN_WAIT_MS);
  }

  /**
   * Calls `take` (which takes the admitted one's place) once no transaction runs, in the same
   * synchronous step as that check, and resolves true; false once closing began.
   */
  private async admit(take: () => void): Promise<boolean> {
    for (;;) {
      if (this.closed) return false;
      if (!this.running) {
        take();
        return true;
      }
      await this.changed();
    }
  }

  /**
   * Counted until dynalite's `res.end`, not the response's 'close' (as LambdaHost.drain waits): a
   * client that gives up closes the response while dynalite is still working on the store.
   */
  private track(res: ServerResponse): void {
    this.handedOver += 1;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    let answered = false;
    res.end = ((...args: unknown[]) => {
      if (!answered) {
        answered = true;
        this.handedOver -= 1;
        this.notify();
      }
      return end(...args);
    }) as ServerResponse['end'];
  }

  /** Whether `done()` held within `maxMs`, checked at each change. */
  private async until(done: () => boolean, maxMs: number): Promise<boolean> {
    const deadline = Date.now() + maxMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.changed(), new Promise<void>((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
    return true;
  }

  private changed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private notify(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }
}
