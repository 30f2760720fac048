import { randomUUID } from 'node:crypto';
import { busNameOf } from './event-rules';

/**
 * PutEvents entries as EventBridge takes them: which entries it refuses (and with which error code
 * and message), and the event envelope it builds from an accepted one. Pure functions, apart from
 * the bus (event-bus.ts) that journals and delivers the events.
 */

/** An event as EventBridge delivers it: the envelope PutEvents builds from an entry. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  /** Not part of the envelope: the bus the event was put on (kept for tests and the CLI). */
  busName?: string;
}

/** EventBridge's PutEvents entry limit (256 KB). */
const MAX_ENTRY_BYTES = 256 * 1024;

/** The entry's parsed Detail, or the PutEvents error for an entry EventBridge would refuse. */
function checkEntry(entry: Record<string, unknown>): { detail: object } | { ErrorCode: string; ErrorMessage: string } {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (typeof entry[field] !== 'string' || !entry[field]) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
    }
  }
  // AWS's entry size: Time (14 bytes when given), Source, DetailType, Detail and each Resource in UTF-8.
  const size =
    (entry.Time !== undefined ? 14 : 0) +
    Buffer.byteLength(String(entry.Source)) +
    Buffer.byteLength(String(entry.DetailType)) +
    Buffer.byteLength(String(entry.Detail)) +
    (Array.isArray(entry.Resources) ? entry.Resources.reduce((n: number, r) => n + Buffer.byteLength(String(r)), 0) : 0);
  if (size > MAX_ENTRY_BYTES) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: `Event entry size ${size} exceeds the maximum of ${MAX_ENTRY_BYTES} bytes.` };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(String(entry.Detail));
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return { detail };
}

function formatTime(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time * 1000) : typeof time === 'string' ? new Date(time) : new Date();
  return (Number.isNaN(d.getTime()) ? new Date() : d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The event an entry becomes, on the bus it names, or the PutEvents error for an entry EventBridge
 * would refuse.
 */
export function acceptEntry(
  entry: Record<string, unknown>,
  account: { accountId: string; region: string },
): { event: BusEvent; busName: string } | { ErrorCode: string; ErrorMessage: string } {
  const checked = checkEntry(entry);
  if ('ErrorCode' in checked) return checked;
  const event: BusEvent = {
    version: '0',
    id: randomUUID(),
    'detail-type': String(entry.DetailType),
    source: String(entry.Source),
    account: account.accountId,
    time: formatTime(entry.Time),
    region: account.region,
    resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
    detail: checked.detail,
  };
  return { event, busName: busNameOf(typeof entry.EventBusName === 'string' ? entry.EventBusName : undefined) };
}
