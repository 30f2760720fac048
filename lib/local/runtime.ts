import { mkdtempSync, rmSync } from 'node:fs';
import { KEPT_IN_MEMORY } from './keep-latest';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lockDataDir } from './data-dir-lock';
import { startDynamo, type LocalDynamo } from './dynamo';
import { FUNCTION_SESSION_TOKEN } from './function-env';
import { CREDENTIALS_FILE, generateRuntimeCredentials } from './local-credentials';
import { ensurePrivateDir, holdPrivateUmask, writeFilePrivate } from './private-files';
import type { Emulator, EmulatorOptions, ResolvedOptions } from './runtime-api';
import { startExecutions } from './runtime-executions';
import { loadApp, planFromTemplate, type LoadedApp, type TemplatePlan } from './runtime-plan';
import type { ClosedExecution, ResumedRun, RuntimeProfile } from './runtime-profile';
import { openSecrets } from './runtime-secrets';
import { Cleanups, hostFunctions, startServices, type DataDir, type Invoke, type LateBound, type Log, type Services } from './runtime-services';
import { runtimeSurface } from './runtime-surface';
import { ScheduleTimer } from './schedules';

/**
 * Runs the synthesized CDK app in this process, with `profile` adding what only the app knows (see
 * lib/local/README.md). Each phase fails before the next starts; whatever started is closed again.
 */
export async function startEmulator<S extends object, C extends ClosedExecution, R extends ResumedRun>(
  given: EmulatorOptions,
  profile: RuntimeProfile<S, C, R>,
): Promise<Emulator<S, C, R>> {
  const t0 = Date.now();
  const log = given.log ?? (() => {});
  const cleanups = new Cleanups(log);
  const kept = given.keptInMemory ?? KEPT_IN_MEMORY;
  if (!(Number.isInteger(kept) && kept >= 0)) throw new RangeError(`keptInMemory must be a whole number >= 0, not ${kept}`);
  const options: ResolvedOptions = { ...given, keptInMemory: kept };
  try {
    const app = await loadApp(options, profile, log);
    const plan = planFromTemplate(app, options.stateMachineOverrides ?? {});
    const data = openDataDir(options, app.projectDir, profile.name, cleanups, log);
    const dynamo = await startDynamoPhase(options, app, plan, data, cleanups, log);
    const secrets = openSecrets(app, plan, profile, { ...(options.inMemory ? {} : { file: join(data.dataDir, 'secrets.json') }), log });
    const sandboxes = await startSandboxesPhase(options, profile, secrets.secretJson, cleanups, log);
    const late: LateBound = {};
    const services = await startServices(options, app, plan, data, secrets.vault, late, cleanups, log);
    late.host = hostFunctions(options, profile, app, plan, data, dynamo, services, sandboxes, cleanups, log);
    const runs = await startExecutions(options, profile, plan, data, dynamo, services, late, cleanups, log);
    const timer = startSchedules(options, plan, services.invoke, cleanups, log);
    reportPlan(plan, log);
    const redelivered = redeliverEvents(services, log);
    const startupMs = Date.now() - t0;
    log(
      `local runtime up in ${startupMs} ms: API ${services.router.url}, ${plan.hostedSpecs.length} functions, ${plan.machines.length} state machine(s)${app.synthesized ? ' (synthesized)' : ''}`,
    );
    return runtimeSurface({
      app,
      plan,
      data,
      dynamo,
      services,
      sandboxes,
      runs,
      timer,
      redelivered,
      startupMs,
      host: late.host,
      cleanups,
    });
  } catch (err) {
    await cleanups.run();
    throw err;
  }
}

/** The data folder, private to this user (issue 9), locked, with this run's credentials in it. */
function openDataDir(options: EmulatorOptions, projectDir: string, name: string, cleanups: Cleanups, log: Log): DataDir {
  const ownsDataDir = options.inMemory === true && options.dataDir === undefined;
  // 077 umask while the runtime runs (LevelDB's files), folder 0700, files 0600.
  cleanups.push(holdPrivateUmask());
  const dataDir = ownsDataDir ? mkdtempSync(join(tmpdir(), `${name}-local-`)) : resolve(projectDir, options.dataDir ?? `.${name}`);
  const tightened = ensurePrivateDir(dataDir);
  if (tightened.length) log(`data dir: tightened ${tightened.length} path(s) readable by others to owner-only (folders 0700, files 0600) in ${dataDir}`);
  if (ownsDataDir) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(lockDataDir(dataDir));
  // Per-run credentials: the loopback AWS services and the IAM API routes check every signature
  // against them; the CLI reads them from this 0600 file, tests get them through clientConfig().
  const credentials = generateRuntimeCredentials(FUNCTION_SESSION_TOKEN);
  const credentialsFile = join(dataDir, CREDENTIALS_FILE);
  writeFilePrivate(credentialsFile, `${JSON.stringify({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, null, 2)}\n`);
  cleanups.push(() => rmSync(credentialsFile, { force: true }));
  return { dataDir, credentials };
}

async function startDynamoPhase(
  options: EmulatorOptions,
  app: LoadedApp,
  plan: TemplatePlan,
  data: DataDir,
  cleanups: Cleanups,
  log: Log,
): Promise<LocalDynamo> {
  const dynamo = await startDynamo({
    tables: plan.tables,
    region: app.resolveEnv.region,
    credentials: data.credentials,
    log,
    ...(options.inMemory ? {} : { path: join(data.dataDir, 'dynamo') }),
    ...(options.onDynamoCall ? { onCall: options.onDynamoCall } : {}),
  });
  cleanups.push(() => dynamo.close());
  return dynamo;
}

/** The profile's stand-ins of outside systems (none without a `startSandboxes` hook). */
async function startSandboxesPhase<S extends object>(
  options: ResolvedOptions,
  profile: RuntimeProfile<S, ClosedExecution, ResumedRun>,
  secretJson: (role: string) => Record<string, string>,
  cleanups: Cleanups,
  log: Log,
): Promise<S> {
  if (!profile.startSandboxes) return {} as S;
  const started = await profile.startSandboxes({
    config: options.configOverrides ?? {},
    secretJson,
    keptInMemory: options.keptInMemory,
    log,
  });
  cleanups.push(() => started.close());
  return started.view;
}

/** Every schedule's timer (schedules.ts). */
function startSchedules(options: EmulatorOptions, plan: TemplatePlan, invoke: Invoke, cleanups: Cleanups, log: Log): ScheduleTimer {
  const timer = new ScheduleTimer(plan.scheduled.schedules, invoke, {
    log,
    ...(options.schedulePeriodMs !== undefined ? { periodMs: options.schedulePeriodMs } : {}),
  });
  timer.start();
  cleanups.push(() => timer.close());
  return timer;
}

function reportPlan(plan: TemplatePlan, log: Log): void {
  for (const w of plan.warnings) log(`warning: ${w}`);
  if (plan.notEmulated.length) log(`AWS only, not emulated: ${plan.notEmulated.join('; ')}`);
}

/** What the previous run acknowledged and did not deliver, now that its targets can run; their event ids. */
function redeliverEvents(services: Services, log: Log): string[] {
  const undelivered = services.journal?.pending() ?? [];
  if (undelivered.length) {
    const n = services.bus.redeliver(undelivered);
    log(
      `events: ${undelivered.length} event(s) accepted before the last stop were not delivered to every target: delivering them now (${n} deliveries): ${undelivered.map((e) => e.id).join(', ')}`,
    );
  }
  return undelivered.map((e) => e.id);
}
