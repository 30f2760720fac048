/** The local runtime's public surface (see lib/local/README.md): procure's entry, and the generic emulator under it. */
export { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from './procure/runtime';
export { procureProfile, type ProcureSandboxes } from './procure/profile';
export { startEmulator, type Emulator, type EmulatorOptions, type LocalExecutions, type PutEventsEntry } from './runtime';
export type { RuntimeProfile } from './runtime-profile';
export type { StepEvent } from './executions';
export type { DynamoCall, InvocationRecord } from './metering';
export type { OutboxMail } from './ses-outbox';
export type { BusEvent, DeliveryFailure, DeliveryHold } from './event-bus';
export type { ExecutionRecord, ExecutionStatus } from './execution-store';
export type { InterruptedExecution, ResumedExecution } from './procure/interrupted';
export { LambdaFunctionError, DEFAULT_LAMBDA_CONCURRENCY } from './lambda-host';
export { DEFAULT_DRAIN_MS, type StopOptions, type StopResult } from './graceful-stop';
export { TaskMappingError } from './task-bindings';
export { BundleIntegrityError } from './trusted-bundles';
export { parseEml } from './ses-outbox';
export { aslFromTemplate, resolveIntrinsics } from './asl-from-template';
export type { IamAuthMode } from './api-router';
