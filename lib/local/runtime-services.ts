import { join } from 'node:path';
import { startApiRouter, type ApiRouter } from './api-router';
import { startAwsEndpoint, type AwsEndpoint } from './aws-endpoint';
import type { LocalDynamo } from './dynamo';
import { EventBus } from './event-bus';
import { DeadLetterStore } from './event-dead-letters';
import { EventJournal } from './event-journal';
import { withRuleOperations } from './event-rules-facade';
import type { ExecutionManager } from './executions';
import { functionEnvironment } from './function-env';
import { StopGate } from './graceful-stop';
import { LambdaHost } from './lambda-host';
import type { RuntimeCredentials } from './local-credentials';
import type { EmulatorOptions, ResolvedOptions } from './runtime-api';
import type { LoadedApp, TemplatePlan } from './runtime-plan';
import type { ClosedExecution, ResumedRun, RuntimeProfile } from './runtime-profile';
import { secretsFacade } from './secrets-facade';
import type { SecretsVault } from './secrets-vault';
import { SesAccount } from './ses-account';
import { Outbox } from './ses-outbox';
import { sfnFacade } from './sfn-facade';
import { TaskTokenBroker } from './task-token-broker';

/** The emulator's phases (runtime.ts) that start the loopback services and host the functions. */

export type Log = (line: string) => void;
export type Invoke = (logicalId: string, event: unknown) => Promise<unknown>;

/** Cleanups run in reverse order of registration; a failing one is logged and the rest still run. */
export class Cleanups {
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

/** The data folder and this run's credentials. */
export interface DataDir {
  dataDir: string;
  credentials: RuntimeCredentials;
}

/** The host and the execution manager, bound once they exist (the bus and facades reach them late). */
export interface LateBound {
  host?: LambdaHost;
  manager?: ExecutionManager;
}

export interface Services {
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
export async function startServices(
  options: ResolvedOptions,
  app: LoadedApp,
  plan: TemplatePlan,
  data: DataDir,
  vault: SecretsVault,
  late: LateBound,
  cleanups: Cleanups,
  log: Log,
): Promise<Services> {
  const { resolveEnv } = app;
  const broker = new TaskTokenBroker();
  cleanups.push(() => broker.closeAll());
  const outbox = new Outbox(join(data.dataDir, 'outbox'), options.onMail, options.keptInMemory);
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
    emittedRetention: options.keptInMemory,
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
  const router = await startApiRouter({
    api: plan.api,
    invoke,
    accountId: resolveEnv.accountId,
    credentials: data.credentials,
    log,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.iamAuth ? { iamAuth: options.iamAuth } : {}),
  });
  cleanups.push(() => router.close());
  return { broker, outbox, gate, journal, bus, aws, router, invoke };
}

/** The functions, each with its own resolved environment and the profile's wiring. */
export function hostFunctions<S extends object>(
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
  const callbackTimeoutSeconds = options.stateMachineOverrides?.callbackTimeoutSeconds;
  const fromProfile = profile.functionWiring?.({
    apiUrl: services.router.url,
    sandboxes,
    ...(callbackTimeoutSeconds !== undefined ? { callbackTimeoutSeconds } : {}),
  }) ?? { wiring: {} };
  const configOverrides = { ...options.configOverrides };
  for (const [k, v] of Object.entries(fromProfile.config ?? {})) configOverrides[k] ??= v;
  const definedAnywhere = new Set(plan.functions.all.flatMap((f) => Object.keys(f.rawEnvironment)));
  const { url } = services.aws;
  const endpoints = { dynamodb: dynamo.endpoint, sfn: url, secretsManager: url, sesv2: url, eventbridge: url };
  const ctx = {
    template: app.template,
    resolveEnv: app.resolveEnv,
    endpoints,
    wiring: fromProfile.wiring,
    configOverrides,
    definedAnywhere,
    credentials: data.credentials,
    ...(fromProfile.alongside ? { alongside: fromProfile.alongside } : {}),
  };
  const host = new LambdaHost(
    plan.hostedSpecs.map((spec) => ({ spec, env: functionEnvironment(spec, ctx) })),
    {
      log,
      ...(options.lambdaConcurrency !== undefined ? { concurrency: options.lambdaConcurrency } : {}),
      ...(options.lambdaMaxIdle !== undefined ? { maxIdle: options.lambdaMaxIdle } : {}),
      ...(options.lambdaAccountConcurrency !== undefined ? { accountConcurrency: options.lambdaAccountConcurrency } : {}),
      ...(options.onInvocation ? { onInvocation: options.onInvocation } : {}),
    },
  );
  cleanups.push(() => host.close());
  return host;
}
