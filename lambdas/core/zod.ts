import { config, pipe, transform, type core, type ZodMiniPipe, type ZodMiniTransform } from 'zod/mini';
import { en } from 'zod/locales';

/**
 * zod as procure's Lambdas use it: `import * as z from './zod'` (the only import of zod in Lambda
 * code; a vendor's settings.ts, read by the CDK app and the CLI only, uses zod's classic API). It is zod/mini, the functional API on the same core: checks are passed to `.check()`
 * (`z.string().check(z.minLength(1))`) and wrappers are functions (`z.optional(s)`), which the
 * bundler can leave out when unused. zod's classic API cost every function about 100 KB and,
 * measured, about half its module-load time over loading only the SDK clients it calls
 * (`npm run bench -- bundles`, issue #11). Parsing, issue codes and messages are the same: mini
 * loads no locale by itself, so English is set here, before any schema of lambdas/ parses.
 */
config(en());

export * from 'zod/mini';

/**
 * classic zod's `z.preprocess(fn, schema)`, which zod/mini does not export: `fn` runs on the input
 * before `schema` parses it (classic builds the same pipe of a transform into the schema).
 */
export function preprocess<U extends core.$ZodType>(fn: (value: unknown) => unknown, schema: U): ZodMiniPipe<ZodMiniTransform<unknown, unknown>, U> {
  return pipe(transform(fn), schema);
}

/**
 * Formats zod issues as short sentences: "item.description.ram: ram must be between 4 and 16 ...".
 * An issue about the whole value is labelled `rootLabel`.
 */
export function describeIssues(error: core.$ZodError, rootLabel = '(body)'): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : rootLabel}: ${i.message}`);
}
