import { aslFromTemplate, findStateMachine, type AslDefinition } from '../local/asl-from-template';
import { DEFAULT_RESOLVE_ENV } from '../local/cfn-template';
import { defaultGetAtt } from '../local/cfn-intrinsics';
import { loadStack, withAssemblyReadLock } from '../local/cloud-assembly';
import { PROCURE_WATCH } from '../local/procure/watch';
import { ensureSynth } from '../local/synth';

/**
 * The purchase state machine's definition as the CDK app synthesizes it now: `cdk.out` is
 * synthesized first when the app's sources are newer (as `procure local` does), then the ASL is
 * read from the template under the CDK CLI's reader lock. No copy of the workflow is kept anywhere.
 */
export interface SynthesizedWorkflow {
  definition: AslDefinition;
  /** The state machine's name (its StateMachineName, `Procure-Purchase`). */
  name: string;
  stackName: string;
}

export async function synthesizedWorkflow(options: { projectDir: string; cdkOut?: string; log?: (line: string) => void }): Promise<SynthesizedWorkflow> {
  const synth = await ensureSynth({
    projectDir: options.projectDir,
    outdir: options.cdkOut ?? 'cdk.out',
    watch: PROCURE_WATCH,
    mode: 'auto',
    ...(options.log ? { log: options.log } : {}),
  });
  return withAssemblyReadLock(synth.assemblyDir, () => {
    const stack = loadStack(synth.assemblyDir);
    const env = { ...DEFAULT_RESOLVE_ENV, stackName: stack.stackName, ...(stack.region ? { region: stack.region } : {}) };
    const { logicalId, resource } = findStateMachine(stack.template);
    return {
      definition: aslFromTemplate(stack.template, { stateMachine: logicalId, env }),
      name: defaultGetAtt(logicalId, 'Name', resource, env, stack.template),
      stackName: stack.stackName,
    };
  });
}
