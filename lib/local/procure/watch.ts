/**
 * What procure's synthesized app is built from: the CDK app, everything under lib/ that the stack
 * reads (its constructs and configuration), the bundled handlers, the CDK settings and the
 * dependency list. The CLI, the graph drawer and the local runtime (lib/cli, lib/graph, lib/local)
 * are not part of the template, so editing them does not force a new synth. Watching lib/ as a
 * whole, rather than naming its files, keeps a new configuration file from being missed.
 */
export const PROCURE_WATCH: readonly string[] = ['bin/app.ts', 'lib', '!lib/cli', '!lib/graph', '!lib/local', 'lambdas', 'cdk.json', 'package.json'];
