import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/core/functions';
import type { FunctionId } from '../../lambdas/core/workflow';
import { ENV } from '../../lambdas/shared/env-names';
import { statementsOf, synthProcure, type Synthesized } from './synth';
import { COCALC_ENV } from '../../lambdas/vendors/cocalc/shared/env-names';
import { INTERSERVER_ENV } from '../../lambdas/vendors/interserver/shared/env-names';

/**
 * Drift guard between the handlers (written separately) and the grants here. The local runtime
 * does not enforce IAM or check environments against the template, so a handler that starts
 * reading a config group, or the audit trail, without a matching change in lib/procure-stack.ts
 * (`USES`) would only fail after a deploy. This reads each handler's entry file for the calls that
 * need something and checks its function has it. One-directional and source-level by design: it
 * finds what is missing, never what is extra (iam.test.ts pins the exact grants).
 */

/** Variables each config reader of lambdas/shared/config.ts requires. */
const READER_ENV: Record<string, string[]> = {
  tablesConfig: [ENV.AUDIT_TABLE_NAME, ENV.STATE_TABLE_NAME],
  budgetConfig: [ENV.MONTHLY_CAP_COCALC_USD, ENV.MONTHLY_CAP_INTERSERVER_USD, ENV.DAILY_PURCHASE_LIMIT],
  approvalConfig: [ENV.APPROVER_EMAILS, ENV.SENDER_EMAIL, ENV.APPROVAL_BASE_URL, ENV.APPROVAL_TIMEOUT_SECONDS, ENV.SIGNING_SECRET_ARN],
  signingConfig: [ENV.SIGNING_SECRET_ARN],
  noticeMailConfig: [ENV.SENDER_EMAIL],
  attentionMailConfig: [ENV.APPROVER_EMAILS, ENV.SENDER_EMAIL, ENV.APPROVAL_BASE_URL],
  approvalPolicyConfig: [ENV.APPROVAL_POLICY],
  cocalcConfig: [COCALC_ENV.BASE_URL, COCALC_ENV.CHECKOUT_MODE, ENV.COCALC_SECRET_ARN],
  interserverConfig: [INTERSERVER_ENV.WSDL_URL, INTERSERVER_ENV.PAYMENT_POLICY, ENV.INTERSERVER_SECRET_ARN],
  eventsConfig: [ENV.EVENT_BUS_NAME, ENV.EVENT_SOURCE],
  workflowConfig: [ENV.STATE_MACHINE_ARN],
};

/** Source patterns that need an IAM action. */
const CALL_ACTIONS: Array<{ pattern: RegExp; action: string; what: string }> = [
  { pattern: /\baudit\.(list|listByStatus)\(/, action: 'dynamodb:Query', what: 'reads the audit trail' },
  { pattern: /\bsesClient\(\)/, action: 'ses:SendEmail', what: 'sends mail' },
  { pattern: /\beventBridgeClient\(\)/, action: 'events:PutEvents', what: 'publishes events' },
  { pattern: /\bnew SfnWorkflowStarter\(/, action: 'states:StartExecution', what: 'starts executions' },
  { pattern: /\bnew SfnExecutionReader\(/, action: 'states:DescribeExecution', what: 'describes executions' },
  { pattern: /\bnew SfnTaskCallback\(/, action: 'states:SendTaskSuccess', what: 'answers task tokens' },
];

const LAMBDAS = join(__dirname, '..', '..', 'lambdas');
const read = (path: string): string => readFileSync(join(LAMBDAS, path), 'utf8');

/** The composition root's folders: lambdas/composition and each vendor's own composition/. */
const VENDOR_DIRS = readdirSync(join(LAMBDAS, 'vendors'), { withFileTypes: true }).filter((d) => d.isDirectory());
const COMPOSITION_DIRS = ['composition', ...VENDOR_DIRS.map((v) => join('vendors', v.name, 'composition'))];

/**
 * Every builder of the composition root: its name and its body, a function (`export function x`)
 * or an arrow (`export const x = (...) => ...;`, as a vendor gives the registry's modules). Several
 * vendors give builders of the same name (`quoter`); a call of that name reaches all of them, as
 * the registry's lists call every vendor's.
 */
const BUILDERS: ReadonlyArray<readonly [string, string]> = COMPOSITION_DIRS.flatMap((dir) =>
  readdirSync(join(LAMBDAS, dir))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => {
      const text = read(join(dir, f));
      return [
        ...text.matchAll(/^export (?:async )?function (\w+)[\s\S]*?^}$/gm),
        ...text.matchAll(/^export const (\w+) = (?:async )?\([^)]*\)(?::[^=\n]+)? =>[\s\S]*?;$/gm),
      ].map(([body, name]) => [name as string, body] as const);
    }),
);

/** The use cases a file imports (procure's core, or its vendor's own core/), by their text. */
function useCases(file: string, text: string): string[] {
  return [...text.matchAll(/from '((?:\.\.\/)+core\/[\w-]+)'/g)].map(([, path]) => read(join(dirname(file), `${path as string}.ts`)));
}

/**
 * What a handler runs, as text: its entry file and the files beside it that it imports (its HTTP
 * routes, handlers/http/), the core use cases they import (where the calls now live), and the
 * body of each composition-root builder it calls, directly or through another builder
 * (recordOutcomeDeps -> spendGuard, vendorPreparations -> a vendor's preparation), but not the
 * builders it does not call.
 */
function source(id: FunctionId): string {
  const entryFile = FUNCTIONS[id];
  const entry = read(entryFile);
  const beside = [...entry.matchAll(/from '(\.\/[\w/-]+)'/g)].map(([, path]) => join(dirname(entryFile), `${path as string}.ts`));
  const files: Array<readonly [string, string]> = [[entryFile, entry], ...beside.map((f) => [f, read(f)] as const)];
  const parts = files.flatMap(([file, text]) => [text, ...useCases(file, text)]);
  const called = new Set<number>();
  for (let text = files.map(([, t]) => t).join('\n'), grew = true; grew; ) {
    grew = false;
    BUILDERS.forEach(([name, body], i) => {
      if (called.has(i) || !new RegExp(`\\b${name}\\(`).test(text)) return;
      called.add(i);
      parts.push(body);
      text = `${text}\n${body}`;
      grew = true;
    });
  }
  return parts.join('\n');
}

let s: Synthesized;
beforeAll(() => {
  s = synthProcure();
});
afterAll(() => s.dispose());

describe('what each handler uses, its function has', () => {
  it.each(Object.keys(FUNCTIONS) as FunctionId[])('%s', (id) => {
    const text = source(id);
    const env = (s.json.Resources[s.fnId(id)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const missing: string[] = [];
    for (const [reader, names] of Object.entries(READER_ENV)) {
      if (!new RegExp(`\\b${reader}\\(\\)`).test(text)) continue;
      for (const name of names) if (!(name in env)) missing.push(`${reader}() needs ${name}`);
    }
    const actions = new Set(statementsOf(s, id).flatMap((st) => st.actions));
    for (const { pattern, action, what } of CALL_ACTIONS) if (pattern.test(text) && !actions.has(action)) missing.push(`${what}: needs ${action}`);
    expect(missing, `${FUNCTIONS[id]}: add it to its need groups (lib/function-needs.ts, or its vendor's stack.ts)`).toEqual([]);
  });
});

describe('what a handler runs, read through its use case and the composition root', () => {
  it('follows the builders a handler calls, and the builders those call, into their clients and config readers', () => {
    const text = source('RecordOutcome');
    for (const call of ['sesClient()', 'eventBridgeClient()', 'tablesConfig()', 'budgetConfig()', 'attentionMailConfig()', 'audit.list('])
      expect(text).toContain(call);
  });

  it("follows an entry into its HTTP routes, and a registry list into each vendor's module", () => {
    // PurchasesApi's routes (handlers/http/purchases-routes.ts) read the audit trail through their use cases.
    expect(source('PurchasesApi')).toContain('audit.list(');
    // PreparePurchase: vendorPreparations -> CoCalc's preparation() -> cartAddDeps -> the add limits' reader.
    expect(source('PreparePurchase')).toMatch(/\bcocalcCartAddLimits\(\)/);
  });

  it('leaves out the builders a handler does not call', () => {
    const text = source('QuotesApi');
    expect(text).toContain('budgetConfig()');
    expect(text).not.toMatch(/\bsesClient\(\)|\bnew SfnWorkflowStarter\(|\bcocalcCartAddLimits\(\)/);
  });
});
