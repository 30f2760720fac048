import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPROVAL_LINK_HEADER } from '../../lambdas/core/approval-mail';
import { ENV } from '../../lambdas/shared/env-names';
import { elsewhereEnv } from '../../lib/cli/local-options';
import { parseEml, startLocalRuntime } from '../../lib/local';
import { loadStack, withAssemblyReadLock } from '../../lib/local/cloud-assembly';
import { PROCURE_WATCH } from '../../lib/local/procure/watch';
import { ensureSynth } from '../../lib/local/synth';
import { startCli, type RunningCli } from './cli';
import { e2eHandle, type E2e } from './e2e-runtime';
import { startExternalCocalc, type ExternalCocalc } from './external-cocalc';
import { PROJECT_DIR } from './project-dir';
import { COCALC_ENV } from '../../lambdas/vendors/cocalc/shared/env-names';

/**
 * `procure local` as a process that can be killed with SIGKILL, pointed at a CoCalc vendor in
 * another process (PROCURE_COCALC_BASE_URL), and the same data folder opened again afterwards.
 *
 * The runtime generates a random CoCalc API key into <data-dir>/secrets.json on its first start;
 * a vendor it does not own has its own account key, so the test writes that key into the file
 * before the first start, as an operator pointing procure at a real account does ("edit the file
 * to use real vendor credentials", secrets-vault.ts). The file is keyed by the secret's logical
 * id, read from the synthesized template.
 */

/** The logical id of the secret a function of `template` names in its environment `variable` (a vendor's secret ARN variable). */
export function secretLogicalIdIn(template: { Resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }> }, variable: string): string {
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const ref = (variables[variable] as { Ref?: unknown } | undefined)?.Ref;
    if (typeof ref === 'string') return ref;
  }
  throw new Error(`no function of the template names a secret in its ${variable}`);
}

/** The logical id of the secret the CoCalc functions read their API key from (COCALC_SECRET_ARN). */
export async function cocalcSecretLogicalId(): Promise<string> {
  const synth = await ensureSynth({ projectDir: PROJECT_DIR, watch: PROCURE_WATCH, mode: 'auto' });
  const { template } = await withAssemblyReadLock(synth.assemblyDir, () => loadStack(synth.assemblyDir));
  return secretLogicalIdIn(template, ENV.COCALC_SECRET_ARN);
}

/** Writes <dataDir>/secrets.json holding only this secret (its JSON value); the runtime adds the other secrets. */
export function seedSecret(dataDir: string, secretLogicalId: string, value: Record<string, unknown>): void {
  const file = { secrets: { [secretLogicalId]: { name: secretLogicalId, arn: secretLogicalId, value: JSON.stringify(value) } } };
  writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify(file, null, 2), { mode: 0o600 });
}

/** Writes <dataDir>/secrets.json holding only the CoCalc API key; the runtime adds the other secrets. */
export function seedCocalcApiKey(dataDir: string, secretLogicalId: string, apiKey: string): void {
  seedSecret(dataDir, secretLogicalId, { apiKey });
}

/**
 * `procure local --no-sample --port 0 --data-dir <dir>` with CoCalc at `cocalcUrl`, once it serves;
 * `env` adds settings (PROCURE_LOCAL_EVENT_HOLD, say).
 */
export async function startLocalCli(dataDir: string, cocalcUrl: string, timeoutMs = 240_000, env: NodeJS.ProcessEnv = {}): Promise<RunningCli> {
  const local = startCli(['local', '--no-sample', '--port', '0', '--data-dir', dataDir], { env: { ...env, [elsewhereEnv(COCALC_ENV.BASE_URL)]: cocalcUrl } });
  try {
    await local.waitFor(/Serving until Ctrl\+C/, timeoutMs);
  } catch (err) {
    local.kill();
    throw err;
  }
  return local;
}

/** kill -9 of the runtime process alone (it is one process: Lambda workers are threads, DynamoDB in-process). */
export async function killNow(local: RunningCli): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  process.kill(local.child.pid!, 'SIGKILL');
  return local.exited;
}

/** The approval link of the first approval mail in the outbox folder, from the header procure sets. */
export function outboxApprovalLink(outboxDir: string): string | undefined {
  for (const file of readdirSync(outboxDir)
    .filter((f) => f.endsWith('.eml'))
    .sort()) {
    const link = parseEml(readFileSync(join(outboxDir, file), 'utf8')).headers[APPROVAL_LINK_HEADER.toLowerCase()];
    if (link) return link;
  }
  return undefined;
}

/**
 * The same data folder opened again in this process, as `procure local` would open it (CoCalc at
 * `cocalcUrl`): the start closes what the killed run left RUNNING, and `rt.runSchedules()` runs
 * the reconciler now (the CLI runs it only at the template's rate).
 */
export async function reopenInProcess(dataDir: string, cocalcUrl: string): Promise<E2e> {
  const logs: string[] = [];
  const rt = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    dataDir,
    synth: 'auto',
    configOverrides: { [COCALC_ENV.BASE_URL]: cocalcUrl },
    log: (line) => logs.push(line),
  });
  return e2eHandle(rt, logs);
}

/** What {@link killableCases} started for one case. */
export interface KillableCase {
  vendor: ExternalCocalc;
  dataDir: string;
  local: RunningCli;
}

/**
 * The processes, folders and reopened runtime of a file of kill -9 cases, ended by `cleanup()`
 * (call it after each case). `begin` starts a CoCalc vendor process, a data folder holding its key,
 * and `procure local` serving on it with `env`; `kill` is kill -9 of that runtime.
 */
export function killableCases(secretId: () => string) {
  const vendors: ExternalCocalc[] = [];
  const locals: RunningCli[] = [];
  const dirs: string[] = [];
  const state: { reopened: E2e | undefined } = { reopened: undefined };
  return {
    state,
    async begin(name: string, env: NodeJS.ProcessEnv = {}): Promise<KillableCase> {
      const vendor = await startExternalCocalc();
      vendors.push(vendor);
      const dataDir = mkdtempSync(join(tmpdir(), `procure-kill9-${name}-`));
      dirs.push(dataDir);
      seedCocalcApiKey(dataDir, secretId(), vendor.apiKey);
      const local = await startLocalCli(dataDir, vendor.url, 240_000, env);
      locals.push(local);
      return { vendor, dataDir, local };
    },
    async kill(local: RunningCli): Promise<void> {
      const exit = await killNow(local);
      if (exit.signal !== 'SIGKILL') throw new Error(`the runtime ended with ${exit.signal ?? `code ${exit.code}`}, not SIGKILL`);
    },
    /** The same folder opened again in this process, ended by `cleanup()`. */
    async reopen(dataDir: string, cocalcUrl: string): Promise<E2e> {
      state.reopened = await reopenInProcess(dataDir, cocalcUrl);
      return state.reopened;
    },
    /** Closes the reopened runtime now (its folder can then be read as the next start would). */
    async closeReopened(): Promise<void> {
      await state.reopened?.close();
      state.reopened = undefined;
    },
    async cleanup(): Promise<void> {
      await state.reopened?.close();
      state.reopened = undefined;
      for (const l of locals.splice(0)) l.kill();
      for (const v of vendors.splice(0)) v.kill();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
