import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENTS } from '../../lambdas/core/workflow';
import type { Credentials } from './api-client';

/**
 * Puts a "License Purchase Requested" event the way any producer would: PutEvents through the AWS
 * SDK, to the local runtime's loopback EventBridge (`endpoint`) or, without one, to the region's
 * real EventBridge with the default credential chain.
 */
export interface EventTarget {
  region: string;
  /** The local runtime's events endpoint; absent = AWS. */
  endpoint?: string;
  credentials?: Credentials | (() => Promise<Credentials>);
}

export async function putPurchaseEvent(
  target: EventTarget,
  detail: unknown,
  options: { source?: string; eventBusName?: string } = {},
): Promise<{ eventId: string }> {
  const client = new EventBridgeClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    maxAttempts: 2,
  });
  try {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: options.source ?? EVENTS.defaultRequestSource,
            DetailType: EVENTS.requested,
            Detail: JSON.stringify(detail),
            EventBusName: options.eventBusName ?? 'default',
          },
        ],
      }),
    );
    const entry = out.Entries?.[0];
    if (out.FailedEntryCount || !entry?.EventId) {
      throw new Error(`PutEvents refused the event: ${entry?.ErrorCode ?? 'unknown error'}${entry?.ErrorMessage ? `: ${entry.ErrorMessage}` : ''}`);
    }
    return { eventId: entry.EventId };
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ECONNREFUSED') throw new Error(`cannot reach the events endpoint ${target.endpoint ?? ''} (ECONNREFUSED): is 'npm start' still running?`);
    throw err;
  } finally {
    client.destroy();
  }
}
