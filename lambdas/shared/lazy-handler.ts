import type { Context } from 'aws-lambda';
import { logger as sharedLogger } from './logger';

/** The part of the shared logger (logger.ts) the wrapper uses: adding the invocation's Lambda context. */
export interface ContextLogger {
  addContext(context: Context): void;
}

/**
 * `export const handler = lazyHandler(() => makeHandler(defaultDeps()))`: the dependencies are
 * built once per cold start, on the first invocation rather than at import, so tests (and the
 * local runtime) can import a handler module for its `makeHandler` without the production
 * environment. A configuration error still fails the very first invocation, loudly; a failed
 * build is not cached, so the next invocation tries again.
 *
 * Every invocation first hands its Lambda context to the shared logger (as Powertools'
 * `addContext`, what `injectLambdaContext` does), so each line the invocation logs carries
 * `function_request_id`, `cold_start` and the function's name, ARN and memory. Handlers are
 * called as `(event, context)`; a call without a Lambda context (a test) leaves the logger as is.
 */
export function lazyHandler<A extends unknown[], R>(build: () => (...args: A) => Promise<R>, logger: ContextLogger = sharedLogger): (...args: A) => Promise<R> {
  let built: ((...args: A) => Promise<R>) | undefined;
  return (...args: A) => {
    const context = args[1];
    if (isLambdaContext(context)) logger.addContext(context);
    built ??= build();
    return built(...args);
  };
}

function isLambdaContext(value: unknown): value is Context {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Context>).awsRequestId === 'string';
}
