/** The local runtime's public surface (see lib/local/README.md). */
export { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions, type LocalExecutions, type PutEventsEntry } from './runtime';
export type { StepEvent } from './executions';
export type { DynamoCall, InvocationRecord } from './metering';
export type { OutboxMail } from './ses-outbox';
export type { BusEvent, DeliveryFailure, DeliveryHold } from './event-bus';
export type { ExecutionRecord, ExecutionStatus } from './execution-store';
export type { InterruptedExecution } from './interrupted';
export { LambdaFunctionError, DEFAULT_LAMBDA_CONCURRENCY } from './lambda-host';
export { DEFAULT_DRAIN_MS, type StopOptions, type StopResult } from './graceful-stop';
export { TaskMappingError } from './task-bindings';
export { BundleIntegrityError } from './trusted-bundles';
export { parseEml } from './ses-outbox';
export { aslFromTemplate, resolveIntrinsics } from './asl-from-template';
export type { IamAuthMode } from './api-router';
