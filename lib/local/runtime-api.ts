import type { IamAuthMode } from './api-router';
import type { EventBus } from './event-bus';
import type { DeliveryFailure } from './event-dead-letters';
import type { DeliveryHold } from './event-delivery';
import type { BusEvent } from './event-entries';
import type { LocalRule } from './event-rules';
import type { ExecutionRecord, ExecutionStatus } from './execution-store';
import type { StepEvent } from './execution-engine-events';
import type { StopOptions, StopResult } from './graceful-stop';
import type { DynamoCall, InvocationRecord } from './metering';
import type { ClosedExecution, ResumedRun } from './runtime-profile';
import type { ScheduleRun } from './schedules';
import type { SesAccountOptions } from './ses-account';
import type { OutboxMail } from './ses-outbox';
import type { SynthMode } from './synth';

/**
 * The generic emulator's options: runs a synthesized CDK app whole, offline, in this process. See
 * lib/local/README.md for what runs where; an app's specifics come in its profile (runtime-profile.ts).
 */
export interface EmulatorOptions {
  /** The CDK project (cdk.json, node_modules). @default process.cwd() */
  projectDir?: string;
  /** DynamoDB files, secrets.json, executions.json, outbox/. @default <projectDir>/.<profile name> (a temp folder when inMemory) */
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
  /** Sources the assembly must be newer than. @default the profile's `watch`, else DEFAULT_WATCH in synth.ts (a CDK app's usual sources) */
  watch?: string[];
  /** Stack to run when the assembly has several. */
  stackName?: string;
  /** Env overrides: applied where the template defines the variable, to every function when none does (the profile may read them too, e.g. a real URL that replaces a stand-in). */
  configOverrides?: Record<string, string>;
  stateMachineOverrides?: {
    /** TimeoutSeconds of every callback (waitForTaskToken) state, and the profile's matching config (`functionWiring`). */
    callbackTimeoutSeconds?: number;
    /** TimeoutSeconds per state name. */
    taskTimeoutSeconds?: Record<string, number>;
    /** aws-local-stepfunctions retryIntervalOverrides (ms per state). */
    retryIntervalOverrides?: Record<string, number | number[]>;
    /** aws-local-stepfunctions waitTimeOverrides (ms per Wait state). */
    waitTimeOverrides?: Record<string, number>;
  };
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
  /**
   * Invocations in flight at once over all functions, as Lambda's per-account concurrency quota
   * (lower in a new AWS account); one beyond it is throttled. @default 1000
   */
  lambdaAccountConcurrency?: number;
  /**
   * Idle execution environments kept per function for the next invocations (Lambda keeps idle ones
   * for minutes, however many; here each is a worker thread, so only this many). @default 4
   */
  lambdaMaxIdle?: number;
  /** Period of every EventBridge Scheduler schedule's timer (schedules.ts), instead of its rate. */
  schedulePeriodMs?: number;
  /** Delays before the retries of a failed async (EventBridge) Lambda delivery. @default [1000, 2000] */
  eventRetryDelaysMs?: [number, number];
  /**
   * A test fault: holds every EventBridge delivery before its first attempt or before it is marked
   * done, so a test can kill the runtime in between.
   */
  eventDeliveryHold?: DeliveryHold;
  /**
   * How many of the latest emitted events (`emittedEvents`), mails (`mails`) and finished
   * executions (whole records with a data folder, step histories without one) stay in memory, and how
   * long the stand-ins keep their own logs. Every mail also stays on disk as its .eml; with a data
   * folder, older records and every step history are read from disk. A test that compares those
   * lists' lengths before and after keeps more. @default KEPT_IN_MEMORY (100)
   */
  keptInMemory?: number;
  onStep?: (event: StepEvent) => void;
  onMail?: (mail: OutboxMail) => void;
  /** Every DynamoDB request the front passed on, this runtime's own included (for measuring; metering.ts). */
  onDynamoCall?: (call: DynamoCall) => void;
  /** Every Lambda invocation once it settled (for measuring; metering.ts). */
  onInvocation?: (record: InvocationRecord) => void;
  log?: (line: string) => void;
}

/** The options as the start-up phases see them: `keptInMemory` resolved once (startEmulator checks it and applies its default). */
export type ResolvedOptions = EmulatorOptions & { keptInMemory: number };

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

/** A running emulator; `Sandboxes`, `Closed` and `Resumed` are what its profile reports (runtime-profile.ts). */
export interface Emulator<Sandboxes extends object = object, Closed extends ClosedExecution = ClosedExecution, Resumed extends ResumedRun = ResumedRun> {
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
  /** The profile's stand-ins of outside systems (`startSandboxes`). */
  sandboxes: Sandboxes;
  /** Executions the previous run left RUNNING that could not go on (state machine or state gone), closed as interrupted at this start. */
  interrupted: Closed[];
  /** Executions the previous run left RUNNING, going on from the state each entered last. */
  resumed: Resumed[];
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
  /** The latest `keptInMemory` (100) events put on the local buses, oldest first (older ones are not kept in memory). */
  emittedEvents: BusEvent[];
  /** The template's EventBridge rules (name, bus, pattern, targets). */
  eventRules: LocalRule[];
  /**
   * Rule-target deliveries that failed after their retries (what a DLQ would receive); with a data
   * folder also earlier runs' (`<dataDir>/events/dead-letters.jsonl`).
   */
  eventDeliveryFailures: DeliveryFailure[];
  /** The latest `keptInMemory` (100) mails sent, oldest first (every mail stays on disk in `outboxDir`). */
  mails: OutboxMail[];
  putEvents(entries: PutEventsEntry[]): ReturnType<EventBus['putEvents']>;
  /** Synchronous invocation by construct id or logical id. */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** The environment a function's handler sees. */
  envOf(functionId: string): Record<string, string>;
  /** Resolves when every EventBridge delivery started so far has finished. */
  eventsIdle(): Promise<void>;
  /** Runs every schedule's target function now, as its timer would. */
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
