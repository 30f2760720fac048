import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalTable } from './dynamo';
import type { ExecutionRecord } from './execution-store';
import type { InterruptedRun, LocalStateMachine } from './executions';

/**
 * What one CDK app adds to the generic emulator (lib/local/README.md, "Profiles"): the emulator runs
 * any synthesized template; a profile names what only the app knows. Every hook is optional except
 * `name`; without them the emulator runs the template with no stand-ins, secrets with their
 * template's values, and interrupted executions closed or resumed without any app bookkeeping.
 */
export interface RuntimeProfile<Sandboxes extends object = object, Closed extends ClosedExecution = ClosedExecution, Resumed extends ResumedRun = ResumedRun> {
  /** Names the default data folder (`<projectDir>/.<name>`) and an in-memory run's temp folder (`<name>-local-*`). */
  readonly name: string;
  /** Sources the assembly must be newer than (synth.ts) when the options name none. */
  readonly watch?: readonly string[];
  /**
   * Env names whose value is a secret's ARN (a `Ref` to an `AWS::SecretsManager::Secret` in some
   * function's environment), and the value a fresh local secret in that role gets. Called once per
   * start. Secrets of no role get their template's initial value.
   */
  secretRoles?(): Record<string, () => string>;
  /** Starts the app's stand-ins of outside systems, after the secrets and before the functions. */
  startSandboxes?(ctx: SandboxContext): Promise<StartedSandboxes<Sandboxes>>;
  /** Environment the app's functions get from the running runtime (its API URL, the stand-ins' URLs). */
  functionWiring?(ctx: WiringContext<Sandboxes>): FunctionWiring;
  /** Closes executions the previous run left RUNNING that cannot go on (state machine or state gone). */
  closeInterrupted?(ctx: CloseContext): Promise<Closed[]>;
  /** Lets executions the previous run left RUNNING go on, with whatever the app records first. */
  resumeInterrupted?(ctx: ResumeContext): Promise<Resumed[]>;
}

/** An execution the previous run left RUNNING that could not go on, closed at this start. */
export interface ClosedExecution {
  executionArn: string;
  name: string;
  startDate: string;
}

/** An execution the previous run left RUNNING that goes on from the state it entered last. */
export interface ResumedRun {
  executionArn: string;
  name: string;
  /** The state it goes on from (the machine's first state when it had entered none). */
  state: string;
}

export interface SandboxContext {
  /** configOverrides as given (a real URL there may mean no stand-in). */
  config: Record<string, string>;
  /** The parsed JSON value of the secret in this role (`secretRoles`), `{}` when none or not JSON. */
  secretJson(role: string): Record<string, string>;
  /** How many of its latest records of each kind the runtime keeps in memory (`keptInMemory`): a stand-in keeps its own logs as short. */
  keptInMemory: number;
  log: (line: string) => void;
}

export interface StartedSandboxes<Sandboxes> {
  /** What `LocalRuntime.sandboxes` shows. */
  view: Sandboxes;
  close(): Promise<void>;
}

export interface WiringContext<Sandboxes> {
  /** The local API's base URL. */
  apiUrl: string;
  sandboxes: Sandboxes;
  /** The options' callback-state timeout, when given. */
  callbackTimeoutSeconds?: number;
}

export interface FunctionWiring {
  /** Set on every function whose template environment defines the variable. */
  wiring: Record<string, string>;
  /** Variable -> another variable: the first is also set where the template defines only the second. */
  alongside?: Record<string, string>;
  /** Defaults under configOverrides: applied as they are, unless configOverrides set the variable. */
  config?: Record<string, string>;
}

export interface CloseContext {
  /** The RUNNING records to close (set ABORTED with `abortInterrupted`). */
  records: ExecutionRecord[];
  client: DynamoDBClient;
  tables: LocalTable[];
  machines: LocalStateMachine[];
  invoke: (logicalId: string, event: unknown) => Promise<unknown>;
  log: (line: string) => void;
}

export interface ResumeContext {
  runs: InterruptedRun[];
  client: DynamoDBClient;
  tables: LocalTable[];
  /** Lets the run go on (executions.ts `resume`); `delivered` ends a callback Task with that output. */
  resume: (run: InterruptedRun, delivered?: { output: unknown }) => void;
  /** The machine's StartAt, for a run that entered no state. */
  firstState: (run: InterruptedRun) => string;
  log: (line: string) => void;
}
