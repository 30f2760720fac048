import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitForCdkWriter } from './cloud-assembly';
import { tryTakePidLock } from './pid-lock';

/**
 * Makes sure a synthesized cloud assembly matches the sources: reuses `cdk.out` when its templates
 * are newer than every file under the watched folders (DEFAULT_WATCH unless the caller names them),
 * otherwise runs `cdk synth` (local esbuild bundling, several seconds). A lock file next to the
 * output folder keeps parallel test files and a running CLI from synthesizing into the same folder
 * at once; readers wait while a synth holds it.
 */
export type SynthMode = 'auto' | 'always' | 'never';

export interface SynthOptions {
  projectDir: string;
  /** Cloud assembly folder, relative to projectDir. @default 'cdk.out' */
  outdir?: string;
  /** `--app` command; cdk.json's app when absent. */
  app?: string;
  /** Folders and files (relative to projectDir) the assembly must be newer than. */
  watch?: readonly string[];
  mode?: SynthMode;
  log?: (line: string) => void;
  /** Longest wait for another process's synth. @default 300000 */
  lockTimeoutMs?: number;
}

export interface SynthResult {
  assemblyDir: string;
  synthesized: boolean;
  durationMs: number;
}

/**
 * A CDK app's usual sources when the caller names none: `cdk init`'s bin/ and lib/, the usual
 * handler folders, the CDK settings and the dependency list (missing ones are skipped). An app
 * names its own (procure: lib/local/procure/watch.ts).
 */
export const DEFAULT_WATCH: readonly string[] = ['bin', 'lib', 'lambda', 'lambdas', 'src', 'cdk.json', 'package.json'];

function newestMtime(path: string, excluded: ReadonlySet<string> = new Set()): number {
  if (excluded.has(path)) return 0;
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name), excluded));
  }
  return newest;
}

/** The oldest template's mtime, or 0 when the assembly is missing or has no template. */
function assemblyMtime(dir: string): number {
  if (!existsSync(join(dir, 'manifest.json'))) return 0;
  const templates = readdirSync(dir).filter((f) => f.endsWith('.template.json'));
  if (!templates.length) return 0;
  return Math.min(...templates.map((f) => statSync(join(dir, f)).mtimeMs));
}

/**
 * True when the assembly in `dir` is newer than every watched source. A `watch` entry starting
 * with `!` is a path under a watched folder that is not a source (e.g. `!lib/cli`).
 */
export function isAssemblyFresh(projectDir: string, dir: string, watch: readonly string[] = DEFAULT_WATCH): boolean {
  const built = assemblyMtime(dir);
  if (!built) return false;
  const excluded = new Set(watch.filter((w) => w.startsWith('!')).map((w) => resolve(projectDir, w.slice(1))));
  return watch.filter((w) => !w.startsWith('!')).every((w) => newestMtime(resolve(projectDir, w), excluded) <= built);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the lock, waiting while a live process holds it (tryTakePidLock clears a dead owner's). */
async function acquireLock(lockFile: string, timeoutMs: number, log?: (line: string) => void): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const lock = tryTakePidLock(lockFile);
    if ('release' in lock) return lock.release;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockFile} (held by pid ${lock.owner})`);
    if (!announced) log?.(`synth: waiting for another synth (pid ${lock.owner})...`);
    announced = true;
    await sleep(250);
  }
}

function runCdkSynth(projectDir: string, outdir: string, app: string | undefined): Promise<void> {
  const cli = require.resolve('aws-cdk/bin/cdk', { paths: [projectDir] });
  const args = [cli, 'synth', '--quiet', '--no-notices', '--output', outdir, ...(app ? ['--app', app] : [])];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: projectDir,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new Error(
            `cdk synth failed (exit ${code}):\n${output
              .split('\n')
              .filter((l) => !/npm warn/i.test(l))
              .slice(-40)
              .join('\n')}`,
          ),
        );
    });
  });
}

export async function ensureSynth(options: SynthOptions): Promise<SynthResult> {
  const t0 = Date.now();
  const projectDir = resolve(options.projectDir);
  const assemblyDir = resolve(projectDir, options.outdir ?? 'cdk.out');
  const watch = options.watch ?? DEFAULT_WATCH;
  const mode = options.mode ?? 'auto';
  const lockFile = `${assemblyDir}.lock`;
  const timeoutMs = options.lockTimeoutMs ?? 300_000;
  if (mode === 'never') {
    if (!existsSync(join(assemblyDir, 'manifest.json'))) throw new Error(`no cloud assembly at ${assemblyDir} and synth is 'never'`);
    return { assemblyDir, synthesized: false, durationMs: Date.now() - t0 };
  }
  // Fast path: fresh and nobody is writing it (neither a runtime's synth nor another cdk CLI).
  await waitForCdkWriter(assemblyDir, timeoutMs);
  if (mode === 'auto' && !existsSync(lockFile) && isAssemblyFresh(projectDir, assemblyDir, watch)) {
    return { assemblyDir, synthesized: false, durationMs: Date.now() - t0 };
  }
  const release = await acquireLock(lockFile, timeoutMs, options.log);
  try {
    if (mode === 'auto' && isAssemblyFresh(projectDir, assemblyDir, watch)) return { assemblyDir, synthesized: false, durationMs: Date.now() - t0 };
    options.log?.(`synth: cdk synth into ${assemblyDir} ...`);
    await runCdkSynth(projectDir, assemblyDir, options.app);
    options.log?.(`synth: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { assemblyDir, synthesized: true, durationMs: Date.now() - t0 };
  } finally {
    release();
  }
}
