/**
 * The errors an invocation of the local Lambda host fails with, as Lambda reports them. Apart from
 * lambda-host.ts so that what reads them (Step Functions Tasks, event delivery, the graceful stop)
 * need not load the host and its worker threads.
 */

/** A function error as Lambda reports it: `{ errorType, errorMessage, trace }`. */
export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    readonly trace: string[] = [],
  ) {
    super(errorMessage);
    this.name = errorType;
  }

  /** The Lambda error payload as JSON text: what Step Functions puts in `Cause`. */
  get causeJson(): string {
    return JSON.stringify({ errorType: this.errorType, errorMessage: this.errorMessage, trace: this.trace });
  }
}

/** What Step Functions reports when Lambda throttles an invocation (the function never ran). */
export const THROTTLED_ERROR_TYPE = 'Lambda.TooManyRequestsException';
/** Invocations refused or cut off because the host is stopping or closed. */
export const RUNTIME_CLOSED_ERROR_TYPE = 'Local.RuntimeClosed';
