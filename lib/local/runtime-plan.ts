import { resolve } from 'node:path';
import { apiFromTemplate, type ApiDescription } from './api-routes';
import { aslFromTemplate } from './asl-from-template';
import { DEFAULT_RESOLVE_ENV, type CfnTemplate, type ResolveEnv } from './cfn-template';
import { defaultGetAtt, defaultRef, resolveString } from './cfn-intrinsics';
import { loadStack, withAssemblyReadLock, type LoadedStack } from './cloud-assembly';
import { tablesFromTemplate, type LocalTable } from './dynamo';
import { rulesFromTemplate, type LocalRule } from './event-rules';
import type { LocalStateMachine } from './executions';
import { FunctionDirectory, lambdasFromTemplate, type LambdaSpec } from './lambda-functions';
import { operatorOnlyResources } from './operator-resources';
import type { EmulatorOptions } from './runtime-api';
import { schedulesFromTemplate } from './schedules';
import { ensureSynth } from './synth';
import { bindTasks, withExplicitTaskTimeouts } from './task-bindings';
import { checkHostedBundles } from './trusted-bundles';

/** The synthesized app, its bundles checked. */
export interface LoadedApp {
  projectDir: string;
  synthesized: boolean;
  stack: LoadedStack;
  template: CfnTemplate;
  resolveEnv: ResolveEnv;
  lambdaSpecs: LambdaSpec[];
}

/** Synthesizes when the assembly is stale, loads the stack and checks every hosted bundle (issue 9: throws BundleIntegrityError). */
export async function loadApp(options: EmulatorOptions, profile: { watch?: readonly string[] }, log: (line: string) => void): Promise<LoadedApp> {
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const watch = options.watch ?? profile.watch;
  const synth = await ensureSynth({
    projectDir,
    outdir: options.cdkOut ?? 'cdk.out',
    ...(options.app ? { app: options.app } : {}),
    ...(watch ? { watch } : {}),
    mode: options.synth ?? 'auto',
    log,
  });
  return withAssemblyReadLock(synth.assemblyDir, () => {
    const stack = loadStack(synth.assemblyDir, options.stackName);
    const resolveEnv: ResolveEnv = { ...DEFAULT_RESOLVE_ENV, stackName: stack.stackName, ...(stack.region ? { region: stack.region } : {}) };
    const lambdaSpecs = lambdasFromTemplate(stack, resolveEnv);
    // The bundles run as this user, so none may be changeable by another.
    const bundles = checkHostedBundles(stack, lambdaSpecs);
    if (bundles.tightened.length)
      log(`bundles: removed group/other write from ${bundles.tightened.length} path(s) in ${stack.assemblyDir} (CDK's bundling leaves asset folders 0777)`);
    log(`bundles: ${bundles.checked} checked against their CDK asset hashes in ${bundles.durationMs} ms`);
    return { projectDir, synthesized: synth.synthesized, stack, template: stack.template, resolveEnv, lambdaSpecs };
  });
}

/** What the template asks for, read before anything starts: whatever cannot be run fails here. */
export interface TemplatePlan {
  functions: FunctionDirectory;
  /** The functions with a bundle to run (checkHostedBundles refused any without an asset hash). */
  hostedSpecs: Array<LambdaSpec & { assetDir: string; assetHash: string }>;
  machines: LocalStateMachine[];
  rules: LocalRule[];
  api: ApiDescription;
  tables: LocalTable[];
  scheduled: ReturnType<typeof schedulesFromTemplate>;
  warnings: string[];
  notEmulated: string[];
}

export function planFromTemplate(app: LoadedApp, overrides: NonNullable<EmulatorOptions['stateMachineOverrides']>): TemplatePlan {
  const { template, resolveEnv } = app;
  const warnings: string[] = [];
  const functions = new FunctionDirectory(app.lambdaSpecs);
  const machines = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, resource]): LocalStateMachine => {
      const asl = aslFromTemplate(template, { stateMachine: logicalId, env: resolveEnv });
      const bindings = bindTasks(asl, functions);
      const timeouts: Record<string, number> = { ...overrides.taskTimeoutSeconds };
      if (overrides.callbackTimeoutSeconds !== undefined) {
        for (const b of bindings) if (b.integration === 'lambda-callback') timeouts[b.stateName] ??= overrides.callbackTimeoutSeconds;
      }
      const { definition, bindings: effective } = withExplicitTaskTimeouts(asl, bindings, timeouts);
      const roleArn = resource.Properties?.RoleArn
        ? resolveString(resource.Properties.RoleArn, template, resolveEnv)
        : `arn:aws:iam::${resolveEnv.accountId}:role/${logicalId}Role`;
      return {
        logicalId,
        name: defaultGetAtt(logicalId, 'Name', resource, resolveEnv, template),
        arn: defaultRef(logicalId, resource, resolveEnv, template),
        roleArn,
        definition,
        bindings: effective,
      };
    });
  const hostedSpecs = functions.all.filter(
    (f): f is LambdaSpec & { assetDir: string; assetHash: string } => f.assetDir !== undefined && f.assetHash !== undefined,
  );
  const {
    rules,
    warnings: ruleWarnings,
    notEmulated: ruleTargetsNotEmulated,
  } = rulesFromTemplate(template, resolveEnv, functions, new Set(machines.map((m) => m.arn)));
  const notEmulated = [...operatorOnlyResources(template), ...ruleTargetsNotEmulated];
  const api = apiFromTemplate(template, resolveEnv, functions);
  warnings.push(...ruleWarnings, ...api.warnings);
  const tables = tablesFromTemplate(template, resolveEnv);
  const scheduled = schedulesFromTemplate(template, resolveEnv, functions, (id) => hostedSpecs.some((f) => f.logicalId === id));
  warnings.push(...scheduled.warnings);
  return { functions, hostedSpecs, machines, rules, api, tables, scheduled, warnings, notEmulated };
}
