/**
 * What procure's synthesized app is built from: the CDK app and its constructs, the bundled
 * handlers, the CDK settings and the dependency list. The CLI and the local runtime (lib/cli,
 * lib/local) are not part of the template, so editing them does not force a new synth.
 */
export const PROCURE_WATCH: readonly string[] = [
  'bin/app.ts',
  'lib/procure-stack.ts',
  'lib/config.ts',
  // What was lib/config.ts before it was split: the stack reads the configuration through these.
  'lib/api-access-log-modes.ts',
  'lib/config-defaults.ts',
  'lib/config-schema.ts',
  'lib/config-warnings.ts',
  'lib/context-coercion.ts',
  'lib/counter-size-config.ts',
  'lib/execution-timeout.ts',
  'lib/read-config.ts',
  'lib/resolve-config.ts',
  'lib/constructs',
  'lambdas',
  'cdk.json',
  'package.json',
];
