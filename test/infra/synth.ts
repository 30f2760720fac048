import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack as CdkStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { aslFromTemplate, type AslDefinition } from '../../lib/local/asl-from-template';
import { DEFAULT_RESOLVE_ENV, type CfnTemplate, type ResolveEnv } from '../../lib/local/cfn-template';
import { resolveIntrinsics } from '../../lib/local/cfn-intrinsics';
import { resolveProcureConfig } from '../../lib/resolve-config';
import type { ProcureConfig } from '../../lib/config';
import { ProcureStack } from '../../lib/procure-stack';
import type { FunctionId } from '../../lambdas/core/workflow';

/**
 * Where the tests pretend the stack is deployed when they resolve intrinsics: fixed here, so the
 * expected ARNs below do not depend on the local runtime's defaults.
 */
export const TEST_ENV: ResolveEnv = { ...DEFAULT_RESOLVE_ENV, partition: 'aws', region: 'us-east-1', accountId: '123456789012', stackName: 'Procure' };

/**
 * In-process synthesis of the procure stack for the infrastructure tests: a temporary outdir
 * (deleted by `dispose`, toolchain.md G11) and `aws:cdk:bundling-stacks: []`, so esbuild never runs.
 */
export interface Synthesized {
  app: App;
  /** The cloud assembly directory (validation-report.json lands here). */
  outdir: string;
  stack: ProcureStack;
  template: Template;
  json: CfnTemplate;
  /** Logical id of a procure function. */
  fnId(id: FunctionId): string;
  /** Resolves intrinsics to deterministic names in {@link TEST_ENV} (lib/local/asl-from-template). */
  resolve(node: unknown): unknown;
  /** The state machine definition, resolved in {@link TEST_ENV}. */
  asl(): AslDefinition;
  dispose(): void;
}

export interface SynthOptions {
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation (cycle detection etc., which `cdk synth`
   * always runs). Its first run in a process costs ~4 s of rule loading, so only the test that
   * reads its report turns it on.
   * @default false
   */
  readonly cfnValidation?: boolean;
}

/** `Template.fromStack` with the built-in CloudFormation validation on or off (CDK_VALIDATION). */
export function templateOf(stack: Stack, cfnValidation = false): Template {
  const before = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = cfnValidation ? 'true' : 'false';
  try {
    return Template.fromStack(stack);
  } finally {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  }
}

/** An empty stack in an app with a temporary outdir, for testing one construct on its own. */
export function bareStack(name: string): { stack: Stack; dispose(): void } {
  const outdir = mkdtempSync(join(tmpdir(), 'procure-infra-'));
  return { stack: new CdkStack(new App({ outdir }), name), dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}

export function synthProcure(config: Partial<ProcureConfig> = {}, options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'procure-infra-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ProcureStack(app, 'Procure', { config: resolveProcureConfig(config) });
  const template = templateOf(stack, options.cfnValidation ?? false);
  const json = template.toJSON() as CfnTemplate;
  return {
    app,
    outdir,
    stack,
    template,
    json,
    fnId: (id) => stack.getLogicalId(stack.functions[id].node.defaultChild as CfnFunction),
    resolve: (node) => resolveIntrinsics(node, json, TEST_ENV),
    asl: () => aslFromTemplate(json, { env: TEST_ENV }),
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Every Allow/Deny statement of every IAM policy (AWS::IAM::Policy and inline role policies), with its roles. */
export interface IamStatement {
  policyId: string;
  roles: string[];
  effect: string;
  actions: string[];
  resources: unknown[];
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function iamStatements(json: CfnTemplate): IamStatement[] {
  const out: IamStatement[] = [];
  for (const [id, r] of Object.entries(json.Resources)) {
    const docs: Array<{ doc: unknown; roles: string[] }> = [];
    if (r.Type === 'AWS::IAM::Policy') {
      const roles = list(r.Properties?.Roles as Array<{ Ref: string }> | undefined).map((x) => x.Ref);
      docs.push({ doc: r.Properties?.PolicyDocument, roles });
    } else if (r.Type === 'AWS::IAM::Role') {
      for (const p of list(r.Properties?.Policies as Array<{ PolicyDocument: unknown }> | undefined)) docs.push({ doc: p.PolicyDocument, roles: [id] });
    }
    for (const { doc, roles } of docs) {
      for (const s of list((doc as { Statement?: Array<Record<string, unknown>> }).Statement)) {
        out.push({
          policyId: id,
          roles,
          effect: String(s.Effect),
          actions: list(s.Action as string | string[]),
          resources: list(s.Resource),
        });
      }
    }
  }
  return out;
}

/** The role logical id of a procure function. */
export function roleOf(s: Synthesized, id: FunctionId): string {
  const fn = s.json.Resources[s.fnId(id)];
  return (fn!.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** Allow statements granted to a function's role. */
export function statementsOf(s: Synthesized, id: FunctionId): IamStatement[] {
  const role = roleOf(s, id);
  return iamStatements(s.json).filter((st) => st.effect === 'Allow' && st.roles.includes(role));
}

/** All logical ids a value references (Ref, Fn::GetAtt, Fn::Sub ${X}). */
export function referencedIds(node: unknown): string[] {
  const found = new Set<string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    if (n === null || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (typeof o.Ref === 'string' && !o.Ref.startsWith('AWS::')) found.add(o.Ref);
    const ga = o['Fn::GetAtt'];
    if (Array.isArray(ga) && typeof ga[0] === 'string') found.add(ga[0]);
    if (typeof ga === 'string') found.add(ga.split('.')[0]!);
    const sub = o['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    if (text) for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) found.add(m[1]!);
    Object.values(o).forEach(walk);
  };
  walk(node);
  return [...found];
}
