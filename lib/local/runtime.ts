import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApiRouter, type ApiRouter } from './api-router';
import { startAwsEndpoint, type AwsEndpoint } from './aws-endpoint';
import { lockDataDir } from './data-dir-lock';
import { startDynamo, type LocalDynamo } from './dynamo';
import { EventBus } from './event-bus';
import { DeadLetterStore } from './event-dead-letters';
import { EventJournal } from './event-journal';
import { withRuleOperations } from './event-rules-facade';
import { FileCheckpointStore } from './execution-checkpoints';
import { FileExecutionStore } from './execution-store';
import { ExecutionManager } from './executions';
import { FUNCTION_SESSION_TOKEN, functionEnvironment } from './function-env';
import { StopGate } from './graceful-stop';
import { closeInterruptedRuns, resumeInterruptedRuns } from './interrupted-runs';
import { LambdaHost } from './lambda-host';
import { CREDENTIALS_FILE, generateRuntimeCredentials, type RuntimeCredentials } from './local-credentials';
import { ensurePrivateDir, holdPrivateUmask, writeFilePrivate } from './private-files';
import type { Emulator, EmulatorOptions } from './runtime-api';
import { loadApp, planFromTemplate, type LoadedApp, type TemplatePlan } from './runtime-plan';
import type { ClosedExecution, ResumedRun, RuntimeProfile } from './runtime-profile';
import { openSecrets } from './runtime-secrets';
import { ScheduleTimer } from './schedules';
import { secretsFacade } from './secrets-facade';
import type { SecretsVault } from './secrets-vault';
import { SesAccount } from './ses-account';
import { Outbox } from './ses-outbox';
import { sfnFacade } from './sfn-facade';
import { TaskTokenBroker } from './task-token-broker';

export type { Emulator, EmulatorOptions, LocalExecutions, PutEventsEntry } from './runtime-api';

type Log = (line: string) => void;
type Invoke = (logicalId: string, event: unknown) => Promise<unknown>;

/** Cleanups run in reverse order of registration; a failing one is logged and the rest still run. */
class Cleanups {
  private readonly steps: Array<() => Promise<void> | void> = [];

  constructor(private readonly log: Log) {}

  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const c of this.steps.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        this.log(`close: ${(err as Error).message}`);
      }
    }
  }
}

/**
 * Runs the synthesized CDK app in this process, with `profile` adding what only the app knows (see
 * lib/local/README.md). Each phase fails before the next starts; whatever started is closed again.
 */
export async function startEmulator<S extends object, C extends ClosedExecution, R extends ResumedRun>(
  options: EmulatorOptions,
  profile: RuntimeProfile<S, C, R>,
): Promise<Emulator<S, C, R>> {
  const t0 = Date.now();
  const log = options.log ?? (() => {});
  const cleanups = new Cleanups(log);
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
    log(`local runtime up in ${startupMs} ms: API ${services.router.url}, ${plan.hostedSpecs.length} functions, ${plan.machines.length} state machine(s)${app.synthesized ? ' (synthesized)' : ''}`);
    return runtimeSurface({ app, plan, data, dynamo, services, sandboxes, runs, timer, redelivered, startupMs, host: late.host, manager: runs.manager, cleanups });
  } catch (err) {
    await cleanups.run();
    throw err;
  }
}

interface DataDir {
  dataDir: string;
  credentials: RuntimeCredentials;
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

async function startDynamoPhase(options: EmulatorOptions, app: LoadedApp, plan: TemplatePlan, data: DataDir, cleanups: Cleanups, log: Log): Promise<LocalDynamo> {
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
  options: EmulatorOptions,
  profile: RuntimeProfile<S, ClosedExecution, ResumedRun>,
  secretJson: (role: string) => Record<string, string>,
  cleanups: Cleanups,
  log: Log,
): Promise<S> {
  if (!profile.startSandboxes) return {} as S;
  const started = await profile.startSandboxes({ config: options.configOverrides ?? {}, secretJson, log });
  cleanups.push(() => started.close());
  return started.view;
}

/** The host and the execution manager, bound once they exist (the bus and facades reach them late). */
interface LateBound {
  host?: LambdaHost;
  manager?: ExecutionManager;
}

interface Services {
  broker: TaskTokenBroker;
  outbox: Outbox;
  gate: StopGate;
  journal: EventJournal | undefined;
  bus: EventBus;
  aws: AwsEndpoint;
  router: ApiRouter;
  invoke: Invoke;
}

/** Loopback AWS services (Step Functions, Secrets Manager, EventBridge, SES v2) and the API. */
async function startServices(options: EmulatorOptions, app: LoadedApp, plan: TemplatePlan, data: DataDir, vault: SecretsVault, late: LateBound, cleanups: Cleanups, log: Log): Promise<Services> {
  const { resolveEnv } = app;
  const broker = new TaskTokenBroker();
  cleanups.push(() => broker.closeAll());
  const outbox = new Outbox(join(data.dataDir, 'outbox'), options.onMail);
  const sesAccount = new SesAccount(options.ses, resolveEnv.region);
  const gate = new StopGate();
  const invoke: Invoke = (logicalId, event) => {
    if (!late.host) return Promise.reject(new Error('the local runtime is not started'));
    return late.host.invoke(logicalId, event);
  };
  const started = (): ExecutionManager => {
    if (!late.manager) throw new Error('the local runtime is not started');
    return late.manager;
  };
  // Issue 9: an acknowledged PutEvents entry is on disk before the answer (event-journal.ts).
  const journal = options.inMemory ? undefined : EventJournal.open(join(data.dataDir, 'events', 'journal.jsonl'), { log });
  if (journal) cleanups.push(() => journal.close());
  const deadLetters = new DeadLetterStore(options.inMemory ? undefined : join(data.dataDir, 'events', 'dead-letters.jsonl'));
  const bus = new EventBus({
    rules: plan.rules,
    region: resolveEnv.region,
    accountId: resolveEnv.accountId,
    invokeAsync: invoke,
    deadLetters,
    ...(journal ? { journal } : {}),
    ...(options.eventDeliveryHold ? { hold: options.eventDeliveryHold } : {}),
    startExecution: (arn, input) => {
      const manager = started();
      gate.refuseNewWork();
      manager.start({ stateMachineArn: arn, input });
    },
    ...(options.eventRetryDelaysMs ? { retryDelaysMs: options.eventRetryDelaysMs } : {}),
    log,
  });
  cleanups.push(() => bus.close());
  const aws = await startAwsEndpoint(
    {
      sfn: (op, body) => sfnFacade(started(), broker, plan.machines)(op, body),
      secretsManager: secretsFacade(vault),
      events: withRuleOperations(plan.rules, resolveEnv, bus.facade()),
      sesv2: sesAccount.route(outbox.route()),
    },
    { log, admit: (call) => gate.admit(call), credentials: data.credentials },
  );
  cleanups.push(() => aws.close());
  const router = await startApiRouter({ api: plan.api, invoke, accountId: resolveEnv.accountId, credentials: data.credentials, log, ...(options.port !== undefined ? { port: options.port } : {}), ...(options.iamAuth ? { iamAuth: options.iamAuth } : {}) });
  cleanups.push(() => router.close());
  return { broker, outbox, gate, journal, bus, aws, router, invoke };
}

/** The functions, each with its own resolved environment and the profile's wiring. */
function hostFunctions<S extends object>(
  options: EmulatorOptions,
  profile: RuntimeProfile<S, ClosedExecution, ResumedRun>,
  app: LoadedApp,
  plan: TemplatePlan,
  data: DataDir,
  dynamo: LocalDynamo,
  services: Services,
  sandboxes: S,
  cleanups: Cleanups,
  log: Log,
): LambdaHost {
  const callbackTimeoutSeconds = options.stateMachineOverrides?.approvalTimeoutSeconds;
  const fromProfile = profile.functionWiring?.({ apiUrl: services.router.url, sandboxes, ...(callbackTimeoutSeconds !== undefined ? { callbackTimeoutSeconds } : {}) }) ?? { wiring: {} };
  const configOverrides = { ...options.configOverrides };
  for (const [k, v] of Object.entries(fromProfile.config ?? {})) configOverrides[k] ??= v;
  const definedAnywhere = new Set(plan.functions.all.flatMap((f) => Object.keys(f.rawEnvironment)));
  const { url } = services.aws;
  const endpoints = { dynamodb: dynamo.endpoint, sfn: url, secretsManager: url, sesv2: url, eventbridge: url };
  const ctx = { template: app.template, resolveEnv: app.resolveEnv, endpoints, wiring: fromProfile.wiring, configOverrides, definedAnywhere, credentials: data.credentials, ...(fromProfile.alongside ? { alongside: fromProfile.alongside } : {}) };
  const host = new LambdaHost(
    plan.hostedSpecs.map((spec) => ({ spec, env: functionEnvironment(spec, ctx) })),
    {
      log,
      ...(options.lambdaConcurrency !== undefined ? { concurrency: options.lambdaConcurrency } : {}),
      ...(options.onInvocation ? { onInvocation: options.onInvocation } : {}),
    },
  );
  cleanups.push(() => host.close());
  return host;
}

interface ExecutionRuns<C, R> {
  manager: ExecutionManager;
  interrupted: C[];
  resumed: R[];
}

/** Executions: close what the previous run left running and cannot go on, let the rest go on, then accept new ones. */
async function startExecutions<S extends object, C extends ClosedExecution, R extends ResumedRun>(
  options: EmulatorOptions,
  profile: RuntimeProfile<S, C, R>,
  plan: TemplatePlan,
  data: DataDir,
  dynamo: LocalDynamo,
  services: Services,
  late: LateBound,
  cleanups: Cleanups,
  log: Log,
): Promise<ExecutionRuns<C, R>> {
  const { machines, tables } = plan;
  const overrides = options.stateMachineOverrides ?? {};
  const store = options.inMemory ? undefined : new FileExecutionStore(join(data.dataDir, 'executions.json'));
  const checkpoints = options.inMemory ? undefined : new FileCheckpointStore(join(data.dataDir, 'checkpoints'));
  const manager = new ExecutionManager({
    machines,
    invoke: services.gate.holdWhileStopping(services.invoke),
    broker: services.broker,
    previous: store?.load() ?? [],
    ...(store ? { store } : {}),
    ...(checkpoints ? { checkpoints } : {}),
    ...(overrides.retryIntervalOverrides ? { retryIntervalOverrides: overrides.retryIntervalOverrides } : {}),
    ...(overrides.waitTimeOverrides ? { waitTimeOverrides: overrides.waitTimeOverrides } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    log,
  });
  late.manager = manager;
  // Runs right after the executions are aborted (cleanups run in reverse), before the broker closes.
  cleanups.push(() => services.gate.releaseHeld());
  cleanups.push(() => manager.close());
  const cutOff = manager.interruptedRuns();
  const stuck = cutOff.filter((r) => r.unresumable);
  const close = profile.closeInterrupted ?? (closeInterruptedRuns as unknown as NonNullable<typeof profile.closeInterrupted>);
  const interrupted = await close({ records: stuck.map((r) => r.record), client: dynamo.client, tables, machines, invoke: services.invoke, log });
  // Every start writes the records whole once (closed ones included) and starts a new change log.
  store?.save(manager.list());
  if (interrupted.length) {
    log(`interrupted: ${interrupted.length} execution(s) were running when the runtime last stopped and cannot go on (${stuck.map((r) => `${r.record.name}: ${r.unresumable}`).join('; ')}): closed`);
  }
  const resume = profile.resumeInterrupted ?? (resumeInterruptedRuns as unknown as NonNullable<typeof profile.resumeInterrupted>);
  const resumed = await resume({
    runs: cutOff.filter((r) => !r.unresumable),
    client: dynamo.client,
    tables,
    log,
    resume: (run, delivered) => manager.resume(run, delivered),
    firstState: (run) => machines.find((m) => m.arn === run.record.stateMachineArn)?.definition.StartAt ?? '',
  });
  if (resumed.length) log(`resumed: ${resumed.length} execution(s) cut off by the last stop go on where they stood: ${resumed.map((r) => `${r.name} at ${r.state}`).join(', ')}`);
  return { manager, interrupted, resumed };
}

/** Every schedule's timer (schedules.ts). */
function startSchedules(options: EmulatorOptions, plan: TemplatePlan, invoke: Invoke, cleanups: Cleanups, log: Log): ScheduleTimer {
  const timer = new ScheduleTimer(plan.scheduled.schedules, invoke, { log, ...(options.schedulePeriodMs !== undefined ? { periodMs: options.schedulePeriodMs } : {}) });
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
    log(`events: ${undelivered.length} event(s) accepted before the last stop were not delivered to every target: delivering them now (${n} deliveries): ${undelivered.map((e) => e.id).join(', ')}`);
  }
  return undelivered.map((e) => e.id);
}

interface Started<S, C, R> {
  app: LoadedApp;
  plan: TemplatePlan;
  data: DataDir;
  dynamo: LocalDynamo;
  services: Services;
  sandboxes: S;
  runs: ExecutionRuns<C, R>;
  timer: ScheduleTimer;
  redelivered: string[];
  startupMs: number;
  host: LambdaHost;
  manager: ExecutionManager;
  cleanups: Cleanups;
}

/** The running emulator as callers see it (runtime-api.ts). */
function runtimeSurface<S extends object, C extends ClosedExecution, R extends ResumedRun>(s: Started<S, C, R>): Emulator<S, C, R> {
  const { app, plan, data, dynamo, services, host, manager } = s;
  const { bus, aws, router } = services;
  const primary = plan.machines[0];
  const fnId = (id: string): string => {
    const f = plan.functions.get(id);
    if (!host.has(f.logicalId)) throw new Error(`function ${id} has no bundled code to run locally`);
    return f.logicalId;
  };
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await s.cleanups.run();
  };
  return {
    apiUrl: router.url,
    awsEndpoint: aws.url,
    dynamoEndpoint: dynamo.endpoint,
    outboxDir: services.outbox.dir,
    dataDir: data.dataDir,
    stackName: app.stack.stackName,
    region: app.resolveEnv.region,
    accountId: app.resolveEnv.accountId,
    stateMachineArn: primary?.arn ?? '',
    stateMachines: plan.machines.map((m) => ({
      logicalId: m.logicalId,
      name: m.name,
      arn: m.arn,
      tasks: Object.fromEntries(m.bindings.map((b) => [b.stateName, b.fn.constructId])),
    })),
    tables: Object.fromEntries(plan.tables.map((t) => [t.logicalId, t.name])),
    functions: Object.fromEntries(plan.hostedSpecs.map((f) => [f.constructId, f.logicalId])),
    sandboxes: s.sandboxes,
    interrupted: s.runs.interrupted,
    resumed: s.runs.resumed,
    redeliveredEvents: s.redelivered,
    eventRules: plan.rules,
    warnings: plan.warnings,
    notEmulated: plan.notEmulated,
    startupMs: s.startupMs,
    executions: {
      start: (input, name) => {
        if (!primary) throw new Error('the template has no state machine');
        return manager.start({ stateMachineArn: primary.arn, input: JSON.stringify(input ?? {}), ...(name !== undefined ? { name } : {}) });
      },
      list: (filter) => manager.list(filter),
      describe: (ref) => manager.find(ref),
      history: (ref) => manager.history(ref),
      wait: (ref, o) => manager.wait(ref, o),
    },
    emittedEvents: bus.emitted,
    eventDeliveryFailures: bus.deliveryFailures,
    mails: services.outbox.mails,
    putEvents: (entries) =>
      bus.putEvents(
        entries.map((e) => ({
          ...e,
          Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
          ...(e.Time ? { Time: e.Time.getTime() / 1000 } : {}),
        })),
      ),
    invoke: (id, event) => host.invoke(fnId(id), event),
    envOf: (id) => host.envOf(fnId(id)),
    eventsIdle: () => bus.idle(),
    runSchedules: () => s.timer.runAll(),
    clientConfig: (service) => ({
      region: app.resolveEnv.region,
      endpoint: service === 'dynamodb' ? dynamo.endpoint : aws.url,
      credentials: { accessKeyId: data.credentials.accessKeyId, secretAccessKey: data.credentials.secretAccessKey },
    }),
    stop: (o) => {
      s.timer.close(); // no scheduled run starts during the stop; one in flight is drained like any invocation
      return services.gate.stop({ router, host, close }, o);
    },
    close,
  };
}
