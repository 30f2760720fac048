import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyText } from '../http-body';

/**
 * Fault injection shared by both vendor sandboxes. Set at start (sandbox options) or at run time
 * through the admin endpoint (`POST /__admin/faults` with a FaultPlan body, `DELETE` to clear).
 * One-shot faults count down per matching operation; `operations` limits which ones they hit
 * (CoCalc: endpoint path such as "purchases/shopping-cart-checkout"; InterServer: SOAP operation).
 */
export interface FaultPlan {
  /** Added before every response, in milliseconds. */
  latencyMs?: number;
  /** The next N matching requests answer HTTP 503 without taking effect. */
  failNext?: number;
  /** The next N matching requests have their connection destroyed without taking effect. */
  dropNext?: number;
  /**
   * The next N matching requests TAKE EFFECT, then their connection is destroyed: the caller sees
   * a reset although the purchase happened (the dangerous case a client must reconcile).
   */
  applyThenDropNext?: number;
  /** With applyThenDropNext: instead of dropping, answer after this many ms (past a client timeout). */
  applyThenDelayMs?: number;
  /**
   * The next N matching requests wait `delayThenApplyMs`, THEN take effect (reading the vendor's
   * state as it is by then) and answer: a vendor that acts after the client gave up. A late
   * checkout buys whatever is checked when it finally runs.
   */
  delayThenApplyNext?: number;
  /** With delayThenApplyNext: how long the request waits before it takes effect. */
  delayThenApplyMs?: number;
  /** The next matching request answers with this vendor error message instead of running. */
  forcedError?: string;
  /**
   * The next matching request gets this raw HTTP answer instead of running (a proxy's HTML page,
   * a body of the wrong shape). `status` defaults to 200, `contentType` to text/html.
   */
  respondWith?: { status?: number; contentType?: string; body: string };
  /** Operations the one-shot faults apply to; all when absent. */
  operations?: string[];
}

export type BeforeDecision = { kind: 'continue' } | { kind: 'handled' } | { kind: 'forced-error'; message: string };

export class FaultInjector {
  private plan: FaultPlan = {};

  constructor(initial?: FaultPlan) {
    if (initial) this.set(initial);
  }

  set(plan: FaultPlan): void {
    this.plan = { ...plan };
  }

  reset(): void {
    this.plan = {};
  }

  current(): FaultPlan {
    return { ...this.plan };
  }

  private matches(op: string): boolean {
    return !this.plan.operations || this.plan.operations.includes(op);
  }

  private take(key: 'failNext' | 'dropNext' | 'applyThenDropNext' | 'delayThenApplyNext', op: string): boolean {
    const n = this.plan[key] ?? 0;
    if (n <= 0 || !this.matches(op)) return false;
    this.plan[key] = n - 1;
    return true;
  }

  /** Runs before the operation: latency, 503, drop, raw answer, forced error. */
  async before(op: string, res: ServerResponse): Promise<BeforeDecision> {
    if (this.plan.latencyMs) await sleep(this.plan.latencyMs);
    if (this.take('failNext', op)) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return { kind: 'handled' };
    }
    if (this.take('dropNext', op)) {
      res.socket?.destroy();
      return { kind: 'handled' };
    }
    if (this.plan.respondWith !== undefined && this.matches(op)) {
      const { status = 200, contentType = 'text/html; charset=utf-8', body } = this.plan.respondWith;
      delete this.plan.respondWith;
      res.writeHead(status, { 'content-type': contentType }).end(body);
      return { kind: 'handled' };
    }
    if (this.plan.forcedError !== undefined && this.matches(op)) {
      const message = this.plan.forcedError;
      delete this.plan.forcedError;
      return { kind: 'forced-error', message };
    }
    if (this.take('delayThenApplyNext', op)) await sleep(this.plan.delayThenApplyMs ?? 0);
    return { kind: 'continue' };
  }

  /**
   * Runs after the operation took effect, before its response is written. Returns true when the
   * fault swallowed the response (the caller must not write it).
   */
  async afterApplied(op: string, res: ServerResponse, send: () => void): Promise<boolean> {
    if (!this.take('applyThenDropNext', op)) return false;
    if (this.plan.applyThenDelayMs) {
      await sleep(this.plan.applyThenDelayMs);
      if (!res.destroyed) send();
    } else {
      res.socket?.destroy();
    }
    return true;
  }

  /**
   * Handles `/__admin/faults` (GET current plan, POST a new plan, DELETE to clear). Returns false
   * when the request is not an admin request.
   */
  async handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path !== '/__admin/faults') return false;
    if (req.method === 'POST') {
      const body = await readBodyText(req);
      try {
        this.set(JSON.parse(body || '{}') as FaultPlan);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"fault plan must be JSON"}');
        return true;
      }
    } else if (req.method === 'DELETE') {
      this.reset();
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.current()));
    return true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The sandboxes' servers read request bodies as text through here. */
