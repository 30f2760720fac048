import type { LocalRuntime } from '../local';
import { requestRouteOf } from './request-route';
import type { RuntimeInfo } from './runtime-file';
import { resourcesOfRuntime } from './stack-resources';

/**
 * What `procure local` records of a started runtime (`pid`: the process serving it). Apart from
 * ./runtime-file.ts, which every command reads: this one loads the vendors' settings.
 */
export function runtimeInfoOf(rt: LocalRuntime, pid: number): RuntimeInfo {
  const route = requestRouteOf(rt);
  return {
    apiUrl: rt.apiUrl,
    eventsEndpoint: rt.awsEndpoint,
    dynamoEndpoint: rt.dynamoEndpoint,
    outboxDir: rt.outboxDir,
    region: rt.region,
    requestSource: route.source,
    requestBus: route.busName,
    resources: resourcesOfRuntime(rt),
    pid,
  };
}
