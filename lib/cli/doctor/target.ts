import { readFileSync } from 'node:fs';
import { isLoopbackUrl, resolveApiTarget, type ApiTarget } from '../api-client';
import { UsageError } from '../args';
import { DEFAULT_DATA_DIR, readRuntimeInfo, runtimeFile } from '../runtime-file';
import { resourcesFromOutputs, type StackResources } from '../stack-resources';

/**
 * What `procure doctor` checks: the local runtime recorded in `<dataDir>/runtime.json` (its API
 * may be overridden with a loopback --api), or a deployment named by its outputs file (`cdk deploy
 * --outputs-file`) and, optionally, its API URL. AWS calls go to the runtime's loopback endpoints
 * with its per-run credentials, or to AWS with the default credential chain.
 */
export interface DoctorTarget {
  kind: 'local' | 'deployment';
  /** Where the names came from (runtime.json or the outputs file), for the report. */
  source: string;
  api: ApiTarget;
  resources: StackResources;
  /** The local runtime's loopback endpoints; absent for a deployment. */
  endpoints?: { aws: string; dynamodb: string };
  /** The local runtime's data folder (its secrets.json is where local secrets are set). */
  dataDir?: string;
}

export interface TargetOptions {
  api?: string | undefined;
  dataDir?: string | undefined;
  outputs?: string | undefined;
}

export function resolveDoctorTarget(options: TargetOptions): DoctorTarget {
  const loopback = options.api !== undefined && isLoopbackApi(options.api);
  if (options.outputs !== undefined || (options.api !== undefined && !loopback)) return deploymentTarget(options);
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const info = readRuntimeInfo(dataDir);
  if (!info.resources?.settings || !info.eventsEndpoint || !info.dynamoEndpoint) {
    throw new Error(`${runtimeFile(dataDir)} was written by an older procure: restart the local runtime (npm start)`);
  }
  const recorded = resolveApiTarget({ dataDir });
  const api = options.api ? { ...recorded, apiUrl: options.api.replace(/\/+$/, '') } : recorded;
  return {
    kind: 'local',
    source: runtimeFile(dataDir),
    api,
    resources: info.resources,
    endpoints: { aws: info.eventsEndpoint, dynamodb: info.dynamoEndpoint },
    dataDir,
  };
}

function isLoopbackApi(text: string): boolean {
  try {
    return isLoopbackUrl(new URL(text));
  } catch {
    throw new UsageError(`--api must be a URL like https://<id>.execute-api.<region>.amazonaws.com/prod, got "${text}"`);
  }
}

/** The stack in the outputs file whose ApiUrl is --api (or its only stack), with --api or its ApiUrl as the API. */
function deploymentTarget(options: TargetOptions): DoctorTarget {
  const file = options.outputs ?? 'cdk-outputs.json';
  let stacks: Record<string, Record<string, unknown>>;
  try {
    stacks = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  } catch (err) {
    throw new Error(
      `cannot read the stack outputs ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): write them with 'npx cdk deploy --outputs-file ${file}' and pass --outputs ${file}`,
    );
  }
  const trim = (u: unknown) => String(u ?? '').replace(/\/+$/, '');
  const names = Object.keys(stacks);
  const wanted = options.api ? trim(options.api) : undefined;
  const name = wanted ? names.find((n) => trim(stacks[n]?.ApiUrl) === wanted) : names.length === 1 ? names[0] : undefined;
  if (!name) {
    throw new UsageError(
      wanted
        ? `no stack in ${file} has the ApiUrl ${wanted} (stacks: ${names.join(', ') || 'none'})`
        : `${file} holds ${names.length} stacks (${names.join(', ')}): pass --api with the one to check`,
    );
  }
  const outputs = stacks[name]!;
  const source = `${file} (stack ${name})`;
  const resources = resourcesFromOutputs(outputs, source);
  const api = resolveApiTarget({ api: wanted ?? trim(outputs.ApiUrl) });
  return { kind: 'deployment', source, api, resources };
}
