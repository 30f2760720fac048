import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultGetAtt, localPhysicalName } from './cfn-intrinsics';
import type { CfnResource, ResolveEnv } from './cfn-template';
import type { LoadedStack } from './cloud-assembly';

/**
 * The template's Lambda functions as the local runtime runs them: the bundled asset folder in
 * cdk.out (Metadata `aws:asset:path`), handler, timeout, memory and the unresolved environment.
 */
export interface LambdaSpec {
  logicalId: string;
  /** The construct id (second-to-last segment of `aws:cdk:path`), e.g. `CheckoutFunction`. */
  constructId: string;
  /** Local function name (= ARN's last part): the logical id unless FunctionName is set. */
  name: string;
  arn: string;
  /** Absolute folder holding the bundled code, when the function has a cdk.out asset. */
  assetDir?: string;
  /**
   * The CDK asset hash the folder is named after (`asset.<hash>`): for NodejsFunction, the hash of
   * the bundle itself, so the runtime checks the content against it before loading (bundle-integrity.cjs).
   */
  assetHash?: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Environment.Variables as synthesized (values may be intrinsics). */
  rawEnvironment: Record<string, unknown>;
}

/** A staged asset folder: `asset.` and the 64-hex-digit asset hash. */
const ASSET_FOLDER = /^asset\.([0-9a-f]{64})$/;

export function lambdasFromTemplate(stack: LoadedStack, env: ResolveEnv): LambdaSpec[] {
  const out: LambdaSpec[] = [];
  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const assetPath = resource.Metadata?.['aws:asset:path'];
    const assetDir = typeof assetPath === 'string' ? join(stack.assemblyDir, assetPath) : undefined;
    const assetHash = typeof assetPath === 'string' ? ASSET_FOLDER.exec(basename(assetPath))?.[1] : undefined;
    out.push({
      logicalId,
      constructId: constructIdOf(logicalId, resource),
      name: localPhysicalName(logicalId, resource, stack.template, env),
      arn: defaultGetAtt(logicalId, 'Arn', resource, env, stack.template),
      ...(assetDir && existsSync(assetDir) ? { assetDir, ...(assetHash ? { assetHash } : {}) } : {}),
      handler: typeof props.Handler === 'string' ? props.Handler : 'index.handler',
      runtime: typeof props.Runtime === 'string' ? props.Runtime : 'nodejs22.x',
      timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : 3,
      memoryMb: typeof props.MemorySize === 'number' ? props.MemorySize : 128,
      rawEnvironment: ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>,
    });
  }
  return out;
}

function constructIdOf(logicalId: string, resource: CfnResource): string {
  const path = resource.Metadata?.['aws:cdk:path'];
  if (typeof path === 'string') {
    const parts = path.split('/');
    if (parts.length >= 2 && parts[parts.length - 1] === 'Resource') return parts[parts.length - 2]!;
  }
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

/** Name, ARN or construct-id lookups over the template's functions. */
export class FunctionDirectory {
  private readonly byLogical = new Map<string, LambdaSpec>();

  constructor(readonly all: LambdaSpec[]) {
    for (const f of all) this.byLogical.set(f.logicalId, f);
  }

  /**
   * Finds a function by logical id, construct id (`CheckoutFunction`), function name, ARN (with
   * or without a qualifier) or partial ARN; undefined when there is no single match.
   */
  find(ref: string): LambdaSpec | undefined {
    const exact = this.byLogical.get(ref);
    if (exact) return exact;
    const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(ref);
    const partial = /^(?:[0-9]{12}:)?function:([^:]+)(?::[^:]+)?$/.exec(ref);
    // A bare name may carry a qualifier (`name:alias`).
    const name = arn?.[1] ?? partial?.[1] ?? ref.split(':')[0];
    const byName = this.all.filter((f) => f.name === name);
    if (byName.length === 1) return byName[0];
    const byConstruct = this.all.filter((f) => f.constructId === ref);
    if (byConstruct.length === 1) return byConstruct[0];
    const byPrefix = this.all.filter((f) => new RegExp(`^${escapeRegExp(ref)}[0-9A-F]{8}$`).test(f.logicalId));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  /** Like {@link find}, but throws a message listing the known functions. */
  get(ref: string): LambdaSpec {
    const f = this.find(ref);
    if (!f) throw new Error(`no Lambda function '${ref}' in the template (known: ${this.all.map((x) => x.constructId).join(', ')})`);
    return f;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
