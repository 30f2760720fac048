import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import type { EventPublisher } from '../core/ports';
import { eventBridgeClient } from '../shared/aws-clients/eventbridge';
import { eventsConfig } from '../shared/config';

/** Composition root (README.md): procure's EventBridge events, on the bus and source from the environment. */
export function eventPublisher(): EventPublisher {
  const events = eventsConfig();
  return new EventBridgePublisher(eventBridgeClient(), events.busName, events.source);
}
