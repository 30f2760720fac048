import * as z from '../core/zod';

/** The environment a config reader reads (process.env in a function). */
export type Env = Record<string, string | undefined>;

/** A variable of the function's environment is missing or invalid: a mis-deployed function fails fast, naming it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(message: string) {
    super(message);
  }
}

/** Variable `name`, checked by `schema`; ConfigError naming it otherwise. */
export function read<T extends z.ZodMiniType>(env: Env, name: string, schema: T): z.output<T> {
  const r = schema.safeParse(env[name]);
  if (!r.success) {
    throw new ConfigError(`environment variable ${name} is missing or invalid: ${r.error.issues[0]?.message ?? 'invalid'}`);
  }
  return r.data;
}

export const nonEmpty = z.string().check(z.minLength(1));
export const url = z.url();

/** The JSON value of environment variable `name`; ConfigError naming it when it is not JSON. */
export function jsonOf(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(`environment variable ${name} is not JSON`);
  }
}
