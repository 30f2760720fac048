import { jsonPath } from './deep-json';

/**
 * Where the local engine waits differently from Step Functions: it honours a Wait timestamp's
 * fraction of a second, while Step Functions "considers the time value up to seconds and
 * truncates milliseconds" (Wait state, AWS docs), so on AWS such a wait ends up to a second
 * earlier. The runtime cannot change the engine's wait, so it says so: the message for a Wait
 * state entered with such a timestamp, or undefined.
 */
export function subSecondWait(stateName: string, definition: unknown, input: unknown): string | undefined {
  const wait = definition as { Type?: string; Timestamp?: unknown; TimestampPath?: unknown } | undefined;
  if (wait?.Type !== 'Wait') return undefined;
  // Only a plain `$.a.b` path is read, in the state's input as entered (before any InputPath, which
  // procure's Wait states do not have).
  const path = typeof wait.TimestampPath === 'string' ? wait.TimestampPath : undefined;
  const timestamp = path === undefined ? wait.Timestamp : /^\$(\.[A-Za-z_][\w-]*)+$/.test(path) ? jsonPath(path, input) : undefined;
  if (typeof timestamp !== 'string' || !/\.\d*[1-9]\d*(Z|[+-]\d\d:\d\d)$/.test(timestamp)) return undefined;
  return `Wait ${stateName}: timestamp ${timestamp} has a fraction of a second, which Step Functions drops: on AWS this wait ends up to 1 s earlier than here`;
}
