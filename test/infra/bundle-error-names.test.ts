import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aslFromTemplate } from '../../lib/local/asl-from-template';
import { DEFAULT_RESOLVE_ENV } from '../../lib/local/cfn-template';
import { readBundledFunctions } from '../support/bundle-contents';

/**
 * Step Functions Retry / Catch match errors by name, and the bundles are minified without
 * keepNames (lib/constructs/workflow-function.ts). So every error name a Task's Retry or Catch
 * lists must be set, as a literal, by an error class inside the bundles the state machine invokes:
 * checked on the synthesized assets in cdk.out, the code that is deployed and that the local
 * runtime runs. Not per Task: the shared vendor-call rules (purchase-state-machine.ts) also sit on
 * Tasks whose function never throws that error, where they
 * are harmless. `States.*`, `Lambda.*` and `Sandbox.*` (a function timeout) are raised by the
 * services, not by our code.
 */

interface TaskRule {
  state: string;
  error: string;
  bundle: string;
}

/** Each Task's own error names (not States.* / Lambda.* / Sandbox.*), with the index.js of the function it invokes. */
let rules: TaskRule[];

function tasksOf(node: unknown, out: Array<[string, Record<string, unknown>]> = []): Array<[string, Record<string, unknown>]> {
  if (!node || typeof node !== 'object') return out;
  const states = (node as { States?: Record<string, Record<string, unknown>> }).States;
  for (const [name, state] of Object.entries(states ?? {})) {
    if (state.Type === 'Task') out.push([name, state]);
    for (const branch of (state.Branches as unknown[] | undefined) ?? []) tasksOf(branch, out);
    tasksOf(state.Iterator, out);
    tasksOf(state.ItemProcessor, out);
  }
  return out;
}

beforeAll(async () => {
  rules = await readBundledFunctions((stack, bundled) => {
    const byArn = new Map(bundled.map((fn) => [fn.arn, readFileSync(join(fn.assetDir, 'index.js'), 'utf8')] as const));
    const asl = aslFromTemplate(stack.template, { env: DEFAULT_RESOLVE_ENV });
    return tasksOf(asl).flatMap(([state, task]) => {
      const target = (task.Parameters as { FunctionName?: string } | undefined)?.FunctionName ?? (task.Resource as string);
      const bundle = byArn.get(target);
      if (bundle === undefined) throw new Error(`Task ${state} invokes ${target}, which has no bundle in cdk.out`);
      const handlers = [...((task.Retry as unknown[] | undefined) ?? []), ...((task.Catch as unknown[] | undefined) ?? [])] as Array<{ ErrorEquals: string[] }>;
      return [...new Set(handlers.flatMap((h) => h.ErrorEquals))]
        .filter((e) => !/^(States|Lambda|Sandbox)\./.test(e))
        .map((error) => ({ state, error, bundle }));
    });
  });
});

describe('error names in Retry / Catch survive minification', () => {
  it('finds Tasks that retry or catch errors of our own', () => {
    expect(rules.map((r) => r.error)).toEqual(expect.arrayContaining(['LockBusyError', 'VendorTransientError', 'VendorRateLimitedError']));
  });

  it("sets every name a Task's Retry / Catch lists, as a literal, in a bundle the state machine invokes", () => {
    const bundles = [...new Set(rules.map((r) => r.bundle))];
    const setsName = (error: string) => bundles.some((b) => new RegExp(`\\bname\\s*=\\s*["'\`]${error}["'\`]`).test(b));
    const missing = [...new Set(rules.filter(({ error }) => !setsName(error)).map((r) => `${r.state}: ${r.error}`))];
    expect(missing, 'give the error class a literal name (override name = ...) and import it where it is thrown').toEqual([]);
  });
});
