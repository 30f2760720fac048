import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CfnTemplate } from './cfn-template';
import { pidAlive } from './pid-alive';

/**
 * Reads a synthesized cloud assembly (cdk.out): the manifest names each stack's template file; the
 * assets sit next to it as `asset.<hash>/` folders.
 */
export interface LoadedStack {
  /** Absolute path of the cloud assembly folder. */
  assemblyDir: string;
  stackName: string;
  templatePath: string;
  template: CfnTemplate;
  /** Region of the stack's environment when it is concrete (`aws://unknown-account/us-east-1`). */
  region?: string;
}

interface Manifest {
  artifacts?: Record<string, { type: string; environment?: string; displayName?: string; properties?: { templateFile?: string } }>;
}

export function loadStack(assemblyDir: string, stackName?: string): LoadedStack {
  const dir = resolve(assemblyDir);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`no cloud assembly at ${dir} (manifest.json missing): synthesize first`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const pick = stackName ? stacks.find(([id, a]) => id === stackName || a.displayName === stackName) : stacks.length === 1 ? stacks[0] : undefined;
  if (!pick) {
    const names = stacks.map(([id]) => id).join(', ') || 'none';
    throw new Error(
      stackName ? `stack '${stackName}' not found in ${dir} (stacks: ${names})` : `expected one stack in ${dir}, found: ${names}; pass a stack name`,
    );
  }
  const [id, artifact] = pick;
  const templatePath = join(dir, artifact.properties?.templateFile ?? `${id}.template.json`);
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate;
  const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1];
  return { assemblyDir: dir, stackName: id, templatePath, template, ...(region && region !== 'unknown-region' ? { region } : {}) };
}

/**
 * Waits while a CDK CLI holds its writer lock on the assembly (`synth.lock`, the CLI's RWLock):
 * a `cdk synth` into the same folder, started outside this runtime, clears and rewrites it.
 */
export async function waitForCdkWriter(assemblyDir: string, timeoutMs = 300_000): Promise<void> {
  const lock = join(assemblyDir, 'synth.lock');
  const deadline = Date.now() + timeoutMs;
  while (existsSync(lock)) {
    let pid = NaN;
    try {
      pid = Number(readFileSync(lock, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err; // unreadable: say so rather than spin
    }
    if (!Number.isInteger(pid) || !pidAlive(pid)) return; // stale
    if (Date.now() > deadline) throw new Error(`another cdk synth (pid ${pid}) holds ${lock}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let readCounter = 0;

/**
 * Runs `fn` under a CDK-CLI-compatible reader lock (`read.<pid>.<n>.lock`), so a `cdk synth` started
 * meanwhile refuses to clear the folder while the runtime reads the template and checks assets.
 */
export async function withAssemblyReadLock<T>(assemblyDir: string, fn: () => T | Promise<T>): Promise<T> {
  await waitForCdkWriter(assemblyDir);
  const file = join(assemblyDir, `read.${process.pid}.${++readCounter}.lock`);
  writeFileSync(file, String(process.pid));
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
