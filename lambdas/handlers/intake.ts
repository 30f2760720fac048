import type { EventBridgeEvent } from 'aws-lambda';
import { receivePurchaseEvent, type IntakeDeps, type IntakeResult } from '../core/intake-event';
import { eventPublisher } from '../composition/events';
import { workflowStarter } from '../composition/executions';
import { purchaseJournal } from '../composition/stores';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';

export type { IntakeDeps } from '../core/intake-event';

/** EventBridge trigger ("License Purchase Requested"): the event in, what intake did out (lambdas/core/intake-event.ts). */
export function makeHandler(deps: IntakeDeps): (event: EventBridgeEvent<string, unknown>) => Promise<IntakeResult> {
  const wired = { ...deps, log: logger };
  return (event) => receivePurchaseEvent(wired, event['detail-type'], event.detail);
}

/** Builds the real dependencies; runs once per cold start. */
export function defaultDeps(): IntakeDeps {
  return { ...purchaseJournal(), workflow: workflowStarter(), events: eventPublisher() };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
