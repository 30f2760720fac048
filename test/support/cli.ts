import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { PROJECT_DIR } from './project-dir';

/**
 * The procure CLI as a user runs it: `node bin/procure.cjs ...` in a child process from the
 * project folder. `runCli` waits for the exit; `startCli` keeps a long-running command (local,
 * sandbox) with its output so far, and kills it by its own pid when a test forgets to.
 */
const BIN = resolve(PROJECT_DIR, 'bin', 'procure.cjs');

const CLI_ENV = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return runProcess(process.execPath, [BIN, ...args], options);
}

/** Any command, with the same capture (used for `npm run demo`). Killed with its process group on timeout. */
export function runProcess(
  command: string,
  args: string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? PROJECT_DIR, env: options.env ?? CLI_ENV, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin!.end(options.input ?? '');
  });
}

export interface RunningCli {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first match of `re` in stdout (now or later); rejects on exit or timeout. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the process group, if still running (afterAll). */
  kill(): void;
}

/** `env` is added to the CLI's environment (a PROCURE_* setting, say). */
export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): RunningCli {
  return startProcess(process.execPath, [BIN, ...args], options);
}

/** Any long-running command from the project folder (or `cwd`), in its own process group, kept as {@link startCli} keeps the CLI. */
export function startProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): RunningCli {
  const env = options.env ? { ...CLI_ENV, ...options.env } : CLI_ENV;
  const child = spawn(command, args, { cwd: options.cwd ?? PROJECT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    for (const l of [...listeners]) l();
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => {
      done = true;
      for (const l of [...listeners]) l();
      r({ code, signal });
    }),
  );
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitFor(re, timeoutMs = 60_000) {
      return new Promise((resolveMatch, reject) => {
        const check = (): void => {
          const m = stdout.match(re);
          if (m) {
            finish();
            resolveMatch(m);
          } else if (done) {
            finish();
            reject(new Error(`process exited before printing ${re}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${re} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    kill() {
      if (!done) killGroup(child);
    },
  };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
