import { join } from 'node:path';
import { checkBundle, checkOwnerAndMode, tightenTree } from './bundle-integrity.cjs';
import type { LoadedStack } from './cloud-assembly';
import type { LambdaSpec } from './lambda-functions';

/** Start-up refusal: bundled code (or the assembly naming it) that another user may have changed. */
export class BundleIntegrityError extends Error {
  constructor(readonly problems: string[]) {
    super(`refusing to start: bundled code the local runtime cannot vouch for:\n  - ${problems.join('\n  - ')}`);
    this.name = 'BundleIntegrityError';
  }
}

export interface BundleCheck {
  /** Paths in the assembly that were writable by group or others and no longer are. */
  tightened: string[];
  /** Bundles checked (the hosted functions'). */
  checked: number;
  durationMs: number;
}

/**
 * Issue 9, before anything starts (under the assembly's read lock, so no `cdk synth` rewrites it
 * meanwhile): removes group and other write from everything in the assembly this user owns (CDK's
 * bundling leaves `asset.*` folders 0777), then refuses to start when the assembly folder, its
 * manifest or the template (which name the bundles and their hashes) could have been changed by
 * another user, or when a hosted function's bundle fails bundle-integrity.cjs's check: owned by
 * another user, writable by group or others, a link, or content that is not what CDK hashed at
 * synth. Each cold start checks its bundle again (lambda-worker.cjs).
 */
export function checkHostedBundles(stack: LoadedStack, functions: readonly LambdaSpec[]): BundleCheck {
  const t0 = performance.now();
  const tightened = tightenTree(stack.assemblyDir);
  const problems: string[] = [];
  for (const p of [stack.assemblyDir, join(stack.assemblyDir, 'manifest.json'), stack.templatePath]) {
    const problem = checkOwnerAndMode(p);
    if (problem) problems.push(problem);
  }
  let checked = 0;
  for (const f of functions) {
    if (!f.assetDir) continue;
    checked += 1;
    const problem = f.assetHash
      ? checkBundle(f.assetDir, f.assetHash)
      : `${f.assetDir} is not named after a CDK asset hash (asset.<64 hex digits>), so its content cannot be checked`;
    if (problem) problems.push(`${f.constructId} (${f.name}): ${problem}`);
  }
  if (problems.length) throw new BundleIntegrityError(problems);
  return { tightened, checked, durationMs: Math.round(performance.now() - t0) };
}
