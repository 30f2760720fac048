import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pidAlive } from '../local/pid-alive';
import { mkdirPrivate, writeFilePrivate } from '../local/private-files';
// Types only from stack-resources: the commands that read runtime.json load no configuration code.
import type { StackResources } from './stack-resources';

/**
 * `procure local` writes where its runtime listens to `<dataDir>/runtime.json`, so the other
 * commands (submit, status, approve, licenses, audit) find it without flags.
 */
export interface RuntimeInfo {
  apiUrl: string;
  eventsEndpoint?: string;
  outboxDir?: string;
  /** The template's region (what SigV4 signatures for this runtime name). */
  region?: string;
  /** Source and bus of the template's purchase-request rule (what `submit --event` sends by default). */
  requestSource?: string;
  requestBus?: string;
  /** The DynamoDB endpoint (the other services answer at eventsEndpoint). */
  dynamoEndpoint?: string;
  /** What the runtime runs, by name (what `procure doctor` checks). */
  resources?: StackResources;
  pid: number;
}

export const DEFAULT_DATA_DIR = '.procure';

export function runtimeFile(dataDir = DEFAULT_DATA_DIR): string {
  return join(dataDir, 'runtime.json');
}

export function writeRuntimeInfo(info: RuntimeInfo, dataDir = DEFAULT_DATA_DIR): void {
  const f = runtimeFile(dataDir);
  mkdirPrivate(dirname(f));
  writeFilePrivate(f, JSON.stringify(info, null, 2));
}

/** Removes runtime.json; with `pid`, only when that process wrote it (a newer runtime may own it). */
export function clearRuntimeInfo(dataDir = DEFAULT_DATA_DIR, pid?: number): void {
  if (pid !== undefined) {
    try {
      const info = JSON.parse(readFileSync(runtimeFile(dataDir), 'utf8')) as Partial<RuntimeInfo>;
      if (info.pid !== pid) return;
    } catch {
      // missing or unreadable: nothing of ours to keep
    }
  }
  rmSync(runtimeFile(dataDir), { force: true });
}

/** The running local runtime, or an error that says how to start one or pass --api. */
export function readRuntimeInfo(dataDir = DEFAULT_DATA_DIR): RuntimeInfo {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(runtimeFile(dataDir), 'utf8')) as RuntimeInfo;
  } catch {
    throw new Error(`no local runtime found (${runtimeFile(dataDir)}): start one with 'npm start', or pass --api <url>`);
  }
  if (!pidAlive(info.pid)) {
    throw new Error(`the local runtime recorded in ${runtimeFile(dataDir)} (pid ${info.pid}) is not running: start it with 'npm start'`);
  }
  return info;
}
