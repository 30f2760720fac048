import { asString, resolveIntrinsics, resolveString } from './cfn-intrinsics';
import { type CfnResource, type CfnTemplate, DEFAULT_RESOLVE_ENV, type ResolveEnv } from './cfn-template';

/**
 * CloudFormation intrinsic resolver and ASL extraction for a synthesized CDK template.
 *
 * Resolves `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` (with
 * the template's Conditions), `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs` and the pseudo
 * parameters, to deterministic local names that KEEP THE LOGICAL ID: a Lambda ARN becomes
 * `arn:aws:lambda:<region>:<account>:function:<LogicalId>`, a table's `Ref` its logical id, and so
 * on (local-aws-runtime.md §6.3). No AWS call, no dependency beyond node:crypto, so the CDK tests
 * can import it to validate the ASL the local runtime will run.
 */

// Split by concern: the template's shapes (cfn-template.ts) and the intrinsic resolver with the
// local names (cfn-intrinsics.ts); this file extracts the ASL.

/** A state machine resource found in a template. */
export interface TemplateStateMachine {
  logicalId: string;
  resource: CfnResource;
}

/**
 * The state machine to extract: by exact logical id, by logical-id prefix (the construct id), or
 * the only one in the template.
 */
export function findStateMachine(template: CfnTemplate, idOrPrefix?: string): TemplateStateMachine {
  const all = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  const match = idOrPrefix ? (all.find(([id]) => id === idOrPrefix) ?? all.find(([id]) => id.startsWith(idOrPrefix))) : all.length === 1 ? all[0] : undefined;
  if (!match) {
    const ids = all.map(([id]) => id).join(', ') || 'none';
    throw new Error(
      idOrPrefix ? `no state machine '${idOrPrefix}' in the template (found: ${ids})` : `expected exactly one state machine in the template (found: ${ids})`,
    );
  }
  return { logicalId: match[0], resource: match[1] };
}

/** ASL as a JSON object (loosely typed: the engine and the tests narrow it). */
export type AslDefinition = { StartAt: string; States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number; [k: string]: unknown };

/**
 * The resolved ASL of a state machine in `template` (DefinitionString or Definition, with
 * DefinitionSubstitutions applied). ARNs keep the logical ids (see the module comment).
 */
export function aslFromTemplate(template: CfnTemplate, options: { stateMachine?: string; env?: Partial<ResolveEnv> } = {}): AslDefinition {
  const env: ResolveEnv = { ...DEFAULT_RESOLVE_ENV, ...options.env };
  const { logicalId, resource } = findStateMachine(template, options.stateMachine);
  const props = resource.Properties ?? {};
  let text: string;
  if (props.DefinitionString !== undefined) {
    text = resolveString(props.DefinitionString, template, env);
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(resolveIntrinsics(props.Definition, template, env));
  } else {
    throw new Error(`state machine ${logicalId} has neither DefinitionString nor Definition (DefinitionS3Location is not supported locally)`);
  }
  const subs = props.DefinitionSubstitutions as Record<string, unknown> | undefined;
  if (subs) {
    const values = resolveIntrinsics(subs, template, env) as Record<string, unknown>;
    text = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => (key in values ? asString(values[key], `substitution ${key}`) : whole));
  }
  const asl = JSON.parse(text) as AslDefinition;
  if (asl.QueryLanguage === 'JSONata') {
    throw new Error(`state machine ${logicalId} uses JSONata, which the local engine does not run (keep the machine on JSONPath)`);
  }
  return asl;
}
