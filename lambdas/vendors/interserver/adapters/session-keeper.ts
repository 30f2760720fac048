/**
 * Holds the InterServer session id (interserver-soap.md §1: api_login returns a sid passed to later
 * calls). One login at a time: concurrent callers share the in-flight login. `fresh` tells the
 * caller whether this sid was just issued, which decides if an ambiguous empty answer can be a
 * silently expired session (see the gateway).
 */
export class SessionKeeper {
  private sid: string | undefined;
  private inflight: Promise<string> | undefined;

  constructor(private readonly login: () => Promise<string>) {}

  async acquire(): Promise<{ sid: string; fresh: boolean }> {
    if (this.sid !== undefined) return { sid: this.sid, fresh: false };
    this.inflight ??= this.login().finally(() => {
      this.inflight = undefined;
    });
    const sid = await this.inflight;
    this.sid = sid;
    return { sid, fresh: true };
  }

  /** Forgets `sid` if it is still the current one (another caller may already have replaced it). */
  invalidate(sid: string): void {
    if (this.sid === sid) this.sid = undefined;
  }
}
