/**
 * The shapes of a synthesized CloudFormation template as the local runtime reads it, and where it is
 * "deployed" locally (ResolveEnv). Types and constants only, so every reader of the template
 * (intrinsics, ASL extraction, the CDK tests) shares them without loading any code.
 */

/** One resource of the template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
}

/** A synthesized template: its resources and what intrinsics may refer to. */
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** Where the template is "deployed": pseudo parameters plus optional per-resource overrides. */
export interface ResolveEnv {
  partition: string;
  region: string;
  accountId: string;
  stackName: string;
  urlSuffix: string;
  /** Values for template Parameters (else their Default). */
  parameters?: Record<string, string>;
  /** Overrides `Ref` of a resource; return undefined for the default. */
  ref?: (logicalId: string, resource: CfnResource) => string | undefined;
  /** Overrides `Fn::GetAtt` of a resource; return undefined for the default. */
  getAtt?: (logicalId: string, attribute: string, resource: CfnResource) => string | undefined;
}

/** The local account, region and stack the template is resolved in unless told otherwise. */
export const DEFAULT_RESOLVE_ENV: ResolveEnv = {
  partition: 'aws',
  region: 'us-east-1',
  accountId: '123456789012',
  stackName: 'Stack',
  urlSuffix: 'amazonaws.com',
};

/** Thrown for intrinsics that cannot be resolved offline (Fn::ImportValue, unknown references). */
export class IntrinsicResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntrinsicResolutionError';
  }
}
