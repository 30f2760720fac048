export { startCocalcSandbox, COCALC_SANDBOX_DEFAULTS, API_BASE_PATH } from './server';
export type { CocalcSandbox, CocalcSandboxOptions } from './server';
export { runCocalcSandboxCli, COCALC_SANDBOX_DEFAULT_PORT } from './cli';
export type { CocalcSandboxCliIo } from './cli';
export type { AddAccountOptions, SandboxAccount, SandboxCartItem, SandboxLicense } from './state';
export type { CocalcThrottleOptions } from './throttle';
