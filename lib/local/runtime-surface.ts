import type { LocalDynamo } from './dynamo';
import type { ExecutionManager } from './executions';
import type { LambdaHost } from './lambda-host';
import type { Emulator } from './runtime-api';
import type { ExecutionRuns } from './runtime-executions';
import type { LoadedApp, TemplatePlan } from './runtime-plan';
import type { ClosedExecution, ResumedRun } from './runtime-profile';
import type { Cleanups, DataDir, Services } from './runtime-services';
import type { ScheduleTimer } from './schedules';

export interface Started<S, C, R> {
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
  cleanups: Cleanups;
}

/** The running emulator as callers see it (runtime-api.ts). */
export function runtimeSurface<S extends object, C extends ClosedExecution, R extends ResumedRun>(s: Started<S, C, R>): Emulator<S, C, R> {
  const { app, plan, data, dynamo, services, host } = s;
  const manager = s.runs.manager;
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
    stateMachines: machinesOf(plan),
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
    executions: executionsOf(primary, manager),
    emittedEvents: bus.emitted,
    eventDeliveryFailures: bus.deliveryFailures,
    mails: services.outbox.mails,
    putEvents: (entries) => putEventsOn(bus, entries),
    invoke: (id, event) => host.invoke(fnId(id), event),
    envOf: (id) => host.envOf(fnId(id)),
    eventsIdle: () => bus.idle(),
    runSchedules: () => s.timer.runAll(),
    clientConfig: (service) => clientConfigOf(s, service),
    stop: (o) => {
      s.timer.close(); // no scheduled run starts during the stop; one in flight is drained like any invocation
      return services.gate.stop({ router, host, close }, o);
    },
    close,
  };
}

/** The executions of the template's first state machine, the one `start` runs. */
function executionsOf(primary: TemplatePlan['machines'][number] | undefined, manager: ExecutionManager): Emulator['executions'] {
  return {
    start: (input, name) => {
      if (!primary) throw new Error('the template has no state machine');
      return manager.start({ stateMachineArn: primary.arn, input: JSON.stringify(input ?? {}), ...(name !== undefined ? { name } : {}) });
    },
    list: (filter) => manager.list(filter),
    describe: (ref) => manager.find(ref),
    history: (ref) => manager.history(ref),
    wait: (ref, o) => manager.wait(ref, o),
  };
}

/** Every state machine with its Task states' functions (by construct id). */
function machinesOf(plan: TemplatePlan): Emulator['stateMachines'] {
  return plan.machines.map((m) => ({
    logicalId: m.logicalId,
    name: m.name,
    arn: m.arn,
    tasks: Object.fromEntries(m.bindings.map((b) => [b.stateName, b.fn.constructId])),
  }));
}

/** PutEvents as the SDK takes it: a Detail object is sent as JSON, a Date as epoch seconds. */
function putEventsOn(bus: Services['bus'], entries: Parameters<Emulator['putEvents']>[0]): ReturnType<Emulator['putEvents']> {
  return bus.putEvents(
    entries.map((e) => ({
      ...e,
      Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
      ...(e.Time ? { Time: e.Time.getTime() / 1000 } : {}),
    })),
  );
}

/** Where an SDK client reaches the emulated service, and the local credentials it signs with. */
function clientConfigOf(
  s: Pick<Started<object, ClosedExecution, ResumedRun>, 'app' | 'dynamo' | 'services' | 'data'>,
  service: 'dynamodb' | 'aws',
): ReturnType<Emulator['clientConfig']> {
  const { app, dynamo, data } = s;
  const { aws } = s.services;
  return {
    region: app.resolveEnv.region,
    endpoint: service === 'dynamodb' ? dynamo.endpoint : aws.url,
    credentials: { accessKeyId: data.credentials.accessKeyId, secretAccessKey: data.credentials.secretAccessKey },
  };
}
