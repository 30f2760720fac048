import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { trimSourceMapFile } from '../../lib/constructs/source-map-trim.cjs';
import { WORKFLOW_BUNDLING } from '../../lib/constructs/workflow-function';

/** esbuild's options for bundling `input` to `outDir/index.js` (+ map) with WORKFLOW_BUNDLING's settings. */
export function workflowBuildOptions(input: Pick<BuildOptions, 'stdin' | 'entryPoints'>, outDir: string): BuildOptions {
  const b = WORKFLOW_BUNDLING;
  return {
    ...input,
    bundle: true,
    platform: 'node',
    format: b.format,
    target: b.target,
    minify: b.minify,
    sourcemap: b.sourceMap,
    sourcesContent: b.sourcesContent,
    external: [...b.externalModules],
    mainFields: [...b.mainFields],
    outfile: join(outDir, 'index.js'),
    logLevel: 'error',
  };
}

/**
 * Bundles `input` as procure's functions are bundled: esbuild with WORKFLOW_BUNDLING's settings,
 * then the map trimmed as their bundling hook trims it. For what is bundled outside CDK to be
 * compared with them (the bundle bench's baselines).
 */
export async function bundleLikeFunctions(input: Pick<BuildOptions, 'stdin' | 'entryPoints'>, outDir: string): Promise<void> {
  await build(workflowBuildOptions(input, outDir));
  trimSourceMapFile(join(outDir, 'index.js.map'));
}
