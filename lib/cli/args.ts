import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Thin wrapper over node:util parseArgs that turns unknown options into a clear usage error. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** Runs a command body, mapping UsageError to exit code 2 and any other error to 1. */
export async function runCommand(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${usage}`);
      return 2;
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

/** Options every command that reaches procure's API takes. */
export const TARGET_OPTIONS = {
  api: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The usage lines for TARGET_OPTIONS. */
export const TARGET_USAGE = `  --api URL        the API to call (default: the local runtime recorded in <data-dir>/runtime.json)
                   a deployment's URL includes the stage: https://<id>.execute-api.<region>.amazonaws.com/prod
                   (signed with SigV4 using the default AWS credential chain)
  --data-dir DIR   where 'procure local' keeps its data and runtime.json (default .procure)
  --json           machine-readable output`;

/** Exactly the positionals `names` describes (for usage messages), or a usage error. */
export function expectPositionals(positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length)
    throw new UsageError(
      `missing ${names
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(' ')}`,
    );
  if (positionals.length > names.length) throw new UsageError(`unexpected argument: ${positionals[names.length]}`);
  return positionals;
}

/**
 * A `--port` value: `fallback` when absent, else an integer 0..65535 (0 = any free port), or a usage
 * error saying the port `must be <expected>`.
 */
export function parsePort(value: string | undefined, fallback: number, expected = '0..65535'): number {
  const port = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be ${expected}, got "${value}"`);
  return port;
}

/** Resolves on the first SIGINT or SIGTERM, or when `signal` aborts; then stops listening for them. */
export function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}
