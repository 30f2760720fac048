import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ENV } from '../../lambdas/shared/env-names';
import { STATE, type RecordOutcomePayload, type WorkflowState } from '../../lambdas/core/workflow';
import { apiFromTemplate } from './api-routes';
import { startApiRouter, type IamAuthMode } from './api-router';
import { aslFromTemplate, DEFAULT_RESOLVE_ENV, defaultGetAtt, defaultRef, localPhysicalName, resolveString, type ResolveEnv } from './asl-from-template';
import { startAwsEndpoint } from './aws-endpoint';
import { loadStack, withAssemblyReadLock } from './cloud-assembly';
import { lockDataDir } from './data-dir-lock';
import { ensurePrivateDir, holdPrivateUmask, writeFilePrivate } from './private-files';
import { startDynamo, tablesFromTemplate } from './dynamo';
import { CREDENTIALS_FILE, generateRuntimeCredentials } from './local-credentials';
import { EventBus, rulesFromTemplate, type BusEvent, type DeliveryFailure, type DeliveryHold, type LocalRule } from './event-bus';
import { DeadLetterStore } from './event-dead-letters';
import { EventJournal } from './event-journal';
import { withRuleOperations } from './event-rules-facade';
import { FileExecutionStore, type ExecutionRecord, type ExecutionStatus } from './execution-store';
import { ExecutionManager, type LocalStateMachine, type StepEvent } from './executions';
import { FUNCTION_SESSION_TOKEN, functionEnvironment } from './function-env';
import { StopGate, type StopOptions, type StopResult } from './graceful-stop';
import { FileCheckpointStore } from './execution-checkpoints';
import { closeInterruptedExecutions, resumeInterruptedExecutions, type InterruptedExecution, type ResumedExecution } from './interrupted';
import { FunctionDirectory, lambdasFromTemplate, type LambdaSpec } from './lambda-functions';
import { LambdaHost } from './lambda-host';
import type { DynamoCall, InvocationRecord } from './metering';
import { operatorOnlyResources } from './operator-resources';
import { startSandboxes, type InterserverSandboxHandle, type SandboxHandle } from './sandboxes';
import { schedulesFromTemplate, ScheduleTimer, type ScheduleRun } from './schedules';
import type { CocalcSandboxOptions } from './sandboxes/cocalc/index';
import type { InterserverSandboxOptions } from './sandboxes/interserver/index';
import { generateSigningKey, initialValueFromTemplate, SecretsVault, type SecretDeclaration } from './secrets-vault';
import { secretsFacade } from './secrets-facade';
import { SesAccount, type SesAccountOptions } from './ses-account';
import { Outbox, type OutboxMail } from './ses-outbox';
import { sfnFacade } from './sfn-facade';
import { ensureSynth, type SynthMode } from './synth';
import { bindTasks, withExplicitTaskTimeouts } from './task-bindings';
import { TaskTokenBroker } from './task-token-broker';
import { checkHostedBundles } from './trusted-bundles';

/**
 * The embedded default: runs the synthesized CDK app whole, offline, in this process. See
 * lib/local/README.md for what runs where.
 */
export interface LocalRuntimeOptions {
  /** The CDK project (cdk.json, node_modules). @default process.cwd() */
  projectDir?: string;
  /** DynamoDB files, secrets.json, executions.json, outbox/. @default <projectDir>/.procure (a temp folder when inMemory) */
  dataDir?: string;
  /** DynamoDB in memory, no execution records on disk, secrets in memory (tests). */
  inMemory?: boolean;
  /** API port. @default 0 (any free port) */
  port?: number;
  synth?: SynthMode;
  /** Cloud assembly folder relative to projectDir. @default 'cdk.out' */
  cdkOut?: string;
  /** `cdk synth --app` override (tests synthesize a fixture app). */
  app?: string;
  /** Sources the assembly must be newer than. @default DEFAULT_WATCH in synth.ts (the app, its constructs, lambdas, cdk.json, package.json) */
  watch?: string[];
  /** Stack to run when the assembly has several. */
  stackName?: string;
  /** Env overrides, e.g. APPROVAL_TIMEOUT_SECONDS or a real COCALC_BASE_URL (which skips that sandbox). */
  configOverrides?: Record<string, string>;
  stateMachineOverrides?: {
    /** TimeoutSeconds of the approval (waitForTaskToken) state, and APPROVAL_TIMEOUT_SECONDS to match. */
    approvalTimeoutSeconds?: number;
    /** TimeoutSeconds per state name. */
    taskTimeoutSeconds?: Record<string, number>;
    /** aws-local-stepfunctions retryIntervalOverrides (ms per state). */
    retryIntervalOverrides?: Record<string, number | number[]>;
    /** aws-local-stepfunctions waitTimeOverrides (ms per Wait state). */
    waitTimeOverrides?: Record<string, number>;
  };
  /** Options passed to each sandbox, or false for none (then the template's vendor URLs stay). */
  sandboxes?: { cocalc?: Partial<CocalcSandboxOptions> | false; interserver?: Partial<InterserverSandboxOptions> | false } | false;
  /** The SES account the outbox stands in for. @default out of the sandbox, every identity verified */
  ses?: SesAccountOptions;
  /** How AWS_IAM API routes treat unsigned requests. @default 'require-signature' */
  iamAuth?: IamAuthMode;
  /**
   * Execution environments per function at once, as Lambda's function concurrency: concurrent
   * invocations run in separate environments, and one beyond the limit is throttled
   * (`Lambda.TooManyRequestsException`). @default 50
   */
  lambdaConcurrency?: number;
  /** Period of every EventBridge Scheduler schedule's timer (schedules.ts), instead of its rate. */
  schedulePeriodMs?: number;
  /** Delays before the retries of a failed async (EventBridge) Lambda delivery. @default [1000, 2000] */
  eventRetryDelaysMs?: [number, number];
  /**
   * A test fault: holds every EventBridge delivery before its first attempt or before it is marked
   * done (`procure local`: PROCURE_LOCAL_EVENT_HOLD), so a test can kill the runtime in between.
   */
  eventDeliveryHold?: DeliveryHold;
  onStep?: (event: StepEvent) => void;
  onMail?: (mail: OutboxMail) => void;
  /** Every DynamoDB request the front passed on, this runtime's own included (for measuring; metering.ts). */
  onDynamoCall?: (call: DynamoCall) => void;
  /** Every Lambda invocation once it settled (for measuring; metering.ts). */
  onInvocation?: (record: InvocationRecord) => void;
  log?: (line: string) => void;
}

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string | Record<string, unknown>;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date;
}

export interface LocalExecutions {
  /** StartExecution on the (first) state machine. */
  start(input: unknown, name?: string): { executionArn: string; startDate: Date };
  list(filter?: { status?: ExecutionStatus }): ExecutionRecord[];
  describe(nameOrArn: string): ExecutionRecord | undefined;
  history(nameOrArn: string): StepEvent[];
  /** Resolves once the execution (by name or ARN; it may not have started yet) is no longer RUNNING. */
  wait(nameOrArn: string, options?: { timeoutMs?: number }): Promise<ExecutionRecord>;
}

export interface LocalRuntime {
  apiUrl: string;
  /** The loopback endpoint of Step Functions, Secrets Manager, EventBridge and SES v2. */
  awsEndpoint: string;
  dynamoEndpoint: string;
  outboxDir: string;
  dataDir: string;
  stackName: string;
  region: string;
  accountId: string;
  stateMachineArn: string;
  /** Every state machine with its Task -> function mapping (state name -> construct id). */
  stateMachines: Array<{ logicalId: string; name: string; arn: string; tasks: Record<string, string> }>;
  /** Logical id -> local table name. */
  tables: Record<string, string>;
  /** Construct id -> logical id of every hosted function. */
  functions: Record<string, string>;
  sandboxes: { cocalcUrl?: string; interserverUrl?: string; cocalc?: SandboxHandle; interserver?: InterserverSandboxHandle };
  /** Executions the previous run left RUNNING that could not go on (state machine or state gone), closed as interrupted at this start. */
  interrupted: InterruptedExecution[];
  /** Executions the previous run left RUNNING, going on from the state each entered last. */
  resumed: ResumedExecution[];
  /** Ids of the events a previous run accepted and had not delivered to every target, delivered again at this start. */
  redeliveredEvents: string[];
  warnings: string[];
  /**
   * What the template deploys that runs on AWS only, by design: alarms, their topic, its
   * subscriptions, the dashboard, and rule targets that are that topic (lib/local/operator-resources.ts).
   */
  notEmulated: string[];
  startupMs: number;
  executions: LocalExecutions;
  /** The latest 1,000 events put on the local buses, oldest first (older ones are not kept in memory). */
  emittedEvents: BusEvent[];
  /** The template's EventBridge rules (name, bus, pattern, targets). */
  eventRules: LocalRule[];
  /**
   * Rule-target deliveries that failed after their retries (what a DLQ would receive); with a data
   * folder also earlier runs' (`<dataDir>/events/dead-letters.jsonl`).
   */
  eventDeliveryFailures: DeliveryFailure[];
  mails: OutboxMail[];
  putEvents(entries: PutEventsEntry[]): ReturnType<EventBus['putEvents']>;
  /** Synchronous invocation by construct id (`ValidateAndQuote`) or logical id. */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** The environment a function's handler sees. */
  envOf(functionId: string): Record<string, string>;
  /** Resolves when every EventBridge delivery started so far has finished. */
  eventsIdle(): Promise<void>;
  /** Runs every schedule's target function now (the reconciler), as its timer would. */
  runSchedules(): Promise<ScheduleRun[]>;
  /** SDK client config for this runtime's loopback services, with its per-run credentials (tests, CLI). */
  clientConfig(service: 'dynamodb' | 'aws'): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /**
   * Graceful stop (see graceful-stop.ts): refuses new work at once (API and outside StartExecution /
   * PutEvents answer 503; executions take no further step), lets the Lambda invocations in flight
   * finish (at most `drainMs`, default 30 s), then close(). Calling it again returns the same result.
   */
  stop(options?: StopOptions): Promise<StopResult>;
  /** Stops at once: whatever runs is cut off (executions stay RUNNING and go on where they stood at the next start). */
  close(): Promise<void>;
}

/** Env names whose value is a secret's ARN, and the value a fresh local secret of that role gets. */
function secretRoles(credentials: { cocalcApiKey: string; interserverUsername: string; interserverPassword: string }): Record<string, () => string> {
  return {
    [ENV.COCALC_SECRET_ARN]: () => JSON.stringify({ apiKey: credentials.cocalcApiKey }),
    [ENV.INTERSERVER_SECRET_ARN]: () => JSON.stringify({ username: credentials.interserverUsername, password: credentials.interserverPassword }),
    [ENV.SIGNING_SECRET_ARN]: generateSigningKey,
  };
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const t0 = Date.now();
  const log = options.log ?? (() => {});
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log(`close: ${(err as Error).message}`);
      }
    }
  };

  try {
    // 1. The synthesized app.
    const synth = await ensureSynth({
      projectDir,
      outdir: options.cdkOut ?? 'cdk.out',
      ...(options.app ? { app: options.app } : {}),
      ...(options.watch ? { watch: options.watch } : {}),
      mode: options.synth ?? 'auto',
      log,
    });
    const { stack, resolveEnv, lambdaSpecs } = await withAssemblyReadLock(synth.assemblyDir, () => {
      const loaded = loadStack(synth.assemblyDir, options.stackName);
      const env: ResolveEnv = { ...DEFAULT_RESOLVE_ENV, stackName: loaded.stackName, ...(loaded.region ? { region: loaded.region } : {}) };
      const specs = lambdasFromTemplate(loaded, env);
      // Issue 9: the bundles run as this user, so none may be changeable by another (throws BundleIntegrityError).
      const bundles = checkHostedBundles(loaded, specs);
      if (bundles.tightened.length) log(`bundles: removed group/other write from ${bundles.tightened.length} path(s) in ${loaded.assemblyDir} (CDK's bundling leaves asset folders 0777)`);
      log(`bundles: ${bundles.checked} checked against their CDK asset hashes in ${bundles.durationMs} ms`);
      return { stack: loaded, resolveEnv: env, lambdaSpecs: specs };
    });
    const { template } = stack;
    const warnings: string[] = [];

    // 2. Everything that can fail on the template alone fails before anything starts.
    const functions = new FunctionDirectory(lambdaSpecs);
    const smResources = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
    const overrides = options.stateMachineOverrides ?? {};
    const machines: LocalStateMachine[] = smResources.map(([logicalId, resource]) => {
      const asl = aslFromTemplate(template, { stateMachine: logicalId, env: resolveEnv });
      const bindings = bindTasks(asl, functions);
      const timeouts: Record<string, number> = { ...overrides.taskTimeoutSeconds };
      if (overrides.approvalTimeoutSeconds !== undefined) {
        for (const b of bindings) if (b.integration === 'lambda-callback') timeouts[b.stateName] ??= overrides.approvalTimeoutSeconds;
      }
      const { definition, bindings: effective } = withExplicitTaskTimeouts(asl, bindings, timeouts);
      const roleArn = resource.Properties?.RoleArn ? resolveString(resource.Properties.RoleArn, template, resolveEnv) : `arn:aws:iam::${resolveEnv.accountId}:role/${logicalId}Role`;
      return { logicalId, name: defaultGetAtt(logicalId, 'Name', resource, resolveEnv, template), arn: defaultRef(logicalId, resource, resolveEnv, template), roleArn, definition, bindings: effective };
    });
    // checkHostedBundles refused any bundle without an asset hash.
    const hostedSpecs = functions.all.filter((f): f is LambdaSpec & { assetDir: string; assetHash: string } => f.assetDir !== undefined && f.assetHash !== undefined);
    const { rules, warnings: ruleWarnings, notEmulated: ruleTargetsNotEmulated } = rulesFromTemplate(template, resolveEnv, functions, new Set(machines.map((m) => m.arn)));
    const notEmulated = [...operatorOnlyResources(template), ...ruleTargetsNotEmulated];
    const api = apiFromTemplate(template, resolveEnv, functions);
    warnings.push(...ruleWarnings, ...api.warnings);
    const tables = tablesFromTemplate(template, resolveEnv);
    const scheduled = schedulesFromTemplate(template, resolveEnv, functions, (id) => hostedSpecs.some((f) => f.logicalId === id));
    warnings.push(...scheduled.warnings);

    // 3. Data folder.
    const ownsDataDir = options.inMemory === true && options.dataDir === undefined;
    // Private to this user (issue 9): 077 umask while the runtime runs (LevelDB's files), folder 0700, files 0600.
    cleanups.push(holdPrivateUmask());
    const dataDir = ownsDataDir ? mkdtempSync(join(tmpdir(), 'procure-local-')) : resolve(projectDir, options.dataDir ?? '.procure');
    const tightened = ensurePrivateDir(dataDir);
    if (tightened.length) log(`data dir: tightened ${tightened.length} path(s) readable by others to owner-only (folders 0700, files 0600) in ${dataDir}`);
    if (ownsDataDir) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(lockDataDir(dataDir));
    // Per-run credentials: the loopback AWS services and the IAM API routes check every signature
    // against them; the CLI reads them from this 0600 file, tests get them through clientConfig().
    const runtimeCredentials = generateRuntimeCredentials(FUNCTION_SESSION_TOKEN);
    const credentialsFile = join(dataDir, CREDENTIALS_FILE);
    writeFilePrivate(credentialsFile, `${JSON.stringify({ accessKeyId: runtimeCredentials.accessKeyId, secretAccessKey: runtimeCredentials.secretAccessKey }, null, 2)}\n`);
    cleanups.push(() => rmSync(credentialsFile, { force: true }));

    // 4. DynamoDB.
    const dynamo = await startDynamo({
      tables,
      region: resolveEnv.region,
      credentials: runtimeCredentials,
      log,
      ...(options.inMemory ? {} : { path: join(dataDir, 'dynamo') }),
      ...(options.onDynamoCall ? { onCall: options.onDynamoCall } : {}),
    });
    cleanups.push(() => dynamo.close());

    // 5. Secrets: roles come from the env variables that reference each secret.
    const credentials = {
      cocalcApiKey: `sk-local-${randomBytes(12).toString('hex')}`,
      interserverUsername: 'procure-local',
      interserverPassword: randomBytes(12).toString('base64url'),
    };
    const roles = secretRoles(credentials);
    const roleOf = new Map<string, string>();
    for (const f of functions.all) {
      for (const [k, v] of Object.entries(f.rawEnvironment)) {
        if (!(k in roles)) continue;
        const ref = (v as { Ref?: unknown }).Ref;
        if (typeof ref === 'string') roleOf.set(ref, k);
      }
    }
    const declarations: SecretDeclaration[] = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')
      .map(([logicalId, r]) => {
        const role = roleOf.get(logicalId);
        return {
          logicalId,
          name: localPhysicalName(logicalId, r, template, resolveEnv),
          arn: defaultRef(logicalId, r, resolveEnv, template),
          initialValue: role ? roles[role]! : () => initialValueFromTemplate(r),
        };
      });
    const vault = SecretsVault.open(declarations, { ...(options.inMemory ? {} : { file: join(dataDir, 'secrets.json') }), log });
    const secretJson = (role: string): Record<string, string> => {
      const id = [...roleOf].find(([, r]) => r === role)?.[0];
      const s = id ? vault.find(id) : undefined;
      try {
        return s ? (JSON.parse(s.value) as Record<string, string>) : {};
      } catch {
        return {};
      }
    };

    // 6. Vendor sandboxes, unless disabled or a real URL is configured.
    const config = options.configOverrides ?? {};
    const sb = options.sandboxes === false ? { cocalc: false as const, interserver: false as const } : (options.sandboxes ?? {});
    const cocalcCreds = secretJson(ENV.COCALC_SECRET_ARN);
    const isCreds = secretJson(ENV.INTERSERVER_SECRET_ARN);
    const sandboxes = await startSandboxes({
      cocalc: config[ENV.COCALC_BASE_URL] ? false : (sb.cocalc ?? {}),
      interserver: config[ENV.INTERSERVER_WSDL_URL] ? false : (sb.interserver ?? {}),
      credentials: {
        ...(cocalcCreds.apiKey ? { cocalc: { apiKey: cocalcCreds.apiKey } } : {}),
        ...(isCreds.username && isCreds.password ? { interserver: { username: isCreds.username, password: isCreds.password } } : {}),
      },
      log,
    });
    cleanups.push(() => sandboxes.close());

    // 7. Loopback AWS services and the API.
    const broker = new TaskTokenBroker();
    cleanups.push(() => broker.closeAll());
    const outbox = new Outbox(join(dataDir, 'outbox'), options.onMail);
    const sesAccount = new SesAccount(options.ses, resolveEnv.region);
    const gate = new StopGate();
    let host: LambdaHost | undefined;
    let manager: ExecutionManager | undefined;
    const invoke = (logicalId: string, event: unknown): Promise<unknown> => {
      if (!host) return Promise.reject(new Error('the local runtime is not started'));
      return host.invoke(logicalId, event);
    };
    // Issue 9: an acknowledged PutEvents entry is on disk before the answer (event-journal.ts).
    const journal = options.inMemory ? undefined : EventJournal.open(join(dataDir, 'events', 'journal.jsonl'), { log });
    if (journal) cleanups.push(() => journal.close());
    const deadLetters = new DeadLetterStore(options.inMemory ? undefined : join(dataDir, 'events', 'dead-letters.jsonl'));
    const bus = new EventBus({
      rules,
      region: resolveEnv.region,
      accountId: resolveEnv.accountId,
      invokeAsync: invoke,
      deadLetters,
      ...(journal ? { journal } : {}),
      ...(options.eventDeliveryHold ? { hold: options.eventDeliveryHold } : {}),
      startExecution: (arn, input) => {
        if (!manager) throw new Error('the local runtime is not started');
        gate.refuseNewWork();
        manager.start({ stateMachineArn: arn, input });
      },
      ...(options.eventRetryDelaysMs ? { retryDelaysMs: options.eventRetryDelaysMs } : {}),
      log,
    });
    cleanups.push(() => bus.close());
    const aws = await startAwsEndpoint(
      {
        sfn: (op, body) => {
          if (!manager) throw new Error('the local runtime is not started');
          return sfnFacade(manager, broker, machines)(op, body);
        },
        secretsManager: secretsFacade(vault),
        events: withRuleOperations(rules, resolveEnv, bus.facade()),
        sesv2: sesAccount.route(outbox.route()),
      },
      { log, admit: (call) => gate.admit(call), credentials: runtimeCredentials },
    );
    cleanups.push(() => aws.close());
    const router = await startApiRouter({ api, invoke, accountId: resolveEnv.accountId, credentials: runtimeCredentials, log, ...(options.port !== undefined ? { port: options.port } : {}), ...(options.iamAuth ? { iamAuth: options.iamAuth } : {}) });
    cleanups.push(() => router.close());

    // 8. The functions, each with its own resolved environment.
    const wiring: Record<string, string> = { [ENV.APPROVAL_BASE_URL]: router.url };
    if (sandboxes.cocalc) wiring[ENV.COCALC_BASE_URL] = sandboxes.cocalc.url;
    if (sandboxes.interserver) {
      wiring[ENV.INTERSERVER_WSDL_URL] = sandboxes.interserver.url;
      wiring[ENV.INTERSERVER_ENDPOINT] = sandboxes.interserver.endpoint;
    }
    const configOverrides = { ...config };
    if (overrides.approvalTimeoutSeconds !== undefined) configOverrides[ENV.APPROVAL_TIMEOUT_SECONDS] ??= String(overrides.approvalTimeoutSeconds);
    const definedAnywhere = new Set(functions.all.flatMap((f) => Object.keys(f.rawEnvironment)));
    const endpoints = { dynamodb: dynamo.endpoint, sfn: aws.url, secretsManager: aws.url, sesv2: aws.url, eventbridge: aws.url };
    host = new LambdaHost(
      hostedSpecs.map((spec) => ({ spec, env: functionEnvironment(spec, { template, resolveEnv, endpoints, wiring, configOverrides, definedAnywhere, credentials: runtimeCredentials }) })),
      {
        log,
        ...(options.lambdaConcurrency !== undefined ? { concurrency: options.lambdaConcurrency } : {}),
        ...(options.onInvocation ? { onInvocation: options.onInvocation } : {}),
      },
    );
    const hostRef = host;
    cleanups.push(() => hostRef.close());

    // 9. Executions: close what the previous run left running, then accept new ones.
    const store = options.inMemory ? undefined : new FileExecutionStore(join(dataDir, 'executions.json'));
    const previous = store?.load() ?? [];
    const checkpoints = options.inMemory ? undefined : new FileCheckpointStore(join(dataDir, 'checkpoints'));
    manager = new ExecutionManager({
      machines,
      invoke: gate.holdWhileStopping(invoke),
      broker,
      previous,
      ...(store ? { store } : {}),
      ...(checkpoints ? { checkpoints } : {}),
      ...(overrides.retryIntervalOverrides ? { retryIntervalOverrides: overrides.retryIntervalOverrides } : {}),
      ...(overrides.waitTimeOverrides ? { waitTimeOverrides: overrides.waitTimeOverrides } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
      log,
    });
    const managerRef = manager;
    // Runs right after the executions are aborted (cleanups run in reverse), before the broker closes.
    cleanups.push(() => gate.releaseHeld());
    cleanups.push(() => managerRef.close());
    const cutOff = managerRef.interruptedRuns();
    const stuck = cutOff.filter((r) => r.unresumable);
    const interrupted = await closeInterruptedExecutions({ records: stuck.map((r) => r.record), client: dynamo.client, tables, log, ...interruptedCloseOut(machines, invoke, log) });
    // Every start writes the records whole once (closed ones included) and starts a new change log.
    store?.save(managerRef.list());
    if (interrupted.length) {
      log(`interrupted: ${interrupted.length} execution(s) were running when the runtime last stopped and cannot go on (${stuck.map((r) => `${r.record.name}: ${r.unresumable}`).join('; ')}): closed`);
    }
    const resumed = await resumeInterruptedExecutions({
      runs: cutOff.filter((r) => !r.unresumable),
      client: dynamo.client,
      tables,
      log,
      resume: (run, delivered) => managerRef.resume(run, delivered),
      firstState: (run) => machines.find((m) => m.arn === run.record.stateMachineArn)?.definition.StartAt ?? '',
    });
    if (resumed.length) log(`resumed: ${resumed.length} execution(s) cut off by the last stop go on where they stood: ${resumed.map((r) => `${r.name} at ${r.state}`).join(', ')}`);
    const timer = new ScheduleTimer(scheduled.schedules, invoke, { log, ...(options.schedulePeriodMs !== undefined ? { periodMs: options.schedulePeriodMs } : {}) });
    timer.start();
    cleanups.push(() => timer.close());
    for (const w of warnings) log(`warning: ${w}`);
    if (notEmulated.length) log(`AWS only, not emulated: ${notEmulated.join('; ')}`);
    // What the previous run acknowledged and did not deliver, now that its targets can run.
    const undelivered = journal?.pending() ?? [];
    if (undelivered.length) {
      const n = bus.redeliver(undelivered);
      log(`events: ${undelivered.length} event(s) accepted before the last stop were not delivered to every target: delivering them now (${n} deliveries): ${undelivered.map((e) => e.id).join(', ')}`);
    }

    const primary = machines[0];
    const fnId = (id: string): string => {
      const f = functions.get(id);
      if (!hostRef.has(f.logicalId)) throw new Error(`function ${id} has no bundled code to run locally`);
      return f.logicalId;
    };
    const startupMs = Date.now() - t0;
    log(`local runtime up in ${startupMs} ms: API ${router.url}, ${hostedSpecs.length} functions, ${machines.length} state machine(s)${synth.synthesized ? ' (synthesized)' : ''}`);
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await cleanup();
    };
    return {
      apiUrl: router.url,
      awsEndpoint: aws.url,
      dynamoEndpoint: dynamo.endpoint,
      outboxDir: outbox.dir,
      dataDir,
      stackName: stack.stackName,
      region: resolveEnv.region,
      accountId: resolveEnv.accountId,
      stateMachineArn: primary?.arn ?? '',
      stateMachines: machines.map((m) => ({
        logicalId: m.logicalId,
        name: m.name,
        arn: m.arn,
        tasks: Object.fromEntries(m.bindings.map((b) => [b.stateName, b.fn.constructId])),
      })),
      tables: Object.fromEntries(tables.map((t) => [t.logicalId, t.name])),
      functions: Object.fromEntries(hostedSpecs.map((f) => [f.constructId, f.logicalId])),
      sandboxes: {
        ...(sandboxes.cocalc ? { cocalc: sandboxes.cocalc, cocalcUrl: sandboxes.cocalc.url } : {}),
        ...(sandboxes.interserver ? { interserver: sandboxes.interserver, interserverUrl: sandboxes.interserver.url } : {}),
      },
      interrupted,
      resumed,
      redeliveredEvents: undelivered.map((e) => e.id),
      eventRules: rules,
      warnings,
      notEmulated,
      startupMs,
      executions: {
        start: (input, name) => {
          if (!primary) throw new Error('the template has no state machine');
          return managerRef.start({ stateMachineArn: primary.arn, input: JSON.stringify(input ?? {}), ...(name !== undefined ? { name } : {}) });
        },
        list: (filter) => managerRef.list(filter),
        describe: (ref) => managerRef.find(ref),
        history: (ref) => managerRef.history(ref),
        wait: (ref, o) => managerRef.wait(ref, o),
      },
      emittedEvents: bus.emitted,
      eventDeliveryFailures: bus.deliveryFailures,
      mails: outbox.mails,
      putEvents: (entries) =>
        bus.putEvents(
          entries.map((e) => ({
            ...e,
            Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
            ...(e.Time ? { Time: e.Time.getTime() / 1000 } : {}),
          })),
        ),
      invoke: (id, event) => hostRef.invoke(fnId(id), event),
      envOf: (id) => hostRef.envOf(fnId(id)),
      eventsIdle: () => bus.idle(),
      runSchedules: () => timer.runAll(),
      clientConfig: (service) => ({
        region: resolveEnv.region,
        endpoint: service === 'dynamodb' ? dynamo.endpoint : aws.url,
        credentials: { accessKeyId: runtimeCredentials.accessKeyId, secretAccessKey: runtimeCredentials.secretAccessKey },
      }),
      stop: (o) => {
        timer.close(); // no scheduled run starts during the stop; one in flight is drained like any invocation
        return gate.stop({ router, host: hostRef, close }, o);
      },
      close,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * For procure's own workflow: an interrupted purchase goes through the machine's RecordNotCompleted
 * state (the same function, the same payload shape as the Catch path), so its budget is released
 * and its cart item removed exactly as after any other failure. Other apps get no close-out.
 */
function interruptedCloseOut(
  machines: LocalStateMachine[],
  invoke: (logicalId: string, event: unknown) => Promise<unknown>,
  log: (line: string) => void,
): { closeOut?: (purchaseId: string, input: Record<string, unknown>, cause: string) => Promise<void> } {
  const binding = machines.flatMap((m) => m.bindings).find((b) => b.stateName === STATE.RecordNotCompleted);
  if (!binding) return {};
  return {
    closeOut: async (purchaseId, input, cause) => {
      const payload: RecordOutcomePayload = {
        outcome: 'NOT_COMPLETED',
        state: { ...(input as unknown as WorkflowState), purchaseId, failure: { Error: 'Local.RuntimeStopped', Cause: cause } },
      };
      const result = await invoke(binding.fn.logicalId, payload);
      log(`interrupted: ${purchaseId} closed by ${STATE.RecordNotCompleted}: ${JSON.stringify(result)}`);
    },
  };
}
