import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../../core/ports';

/** PutEvents accepted the call but rejected the entry (FailedEntryCount > 0). */
export class EventPublishError extends Error {
  override name = 'EventPublishError';
  constructor(message: string) {
    super(message);
  }
}

/** {@link EventPublisher} on an EventBridge bus. */
export class EventBridgePublisher implements EventPublisher {
  /**
   * @param client shared EventBridge client
   * @param busName target bus name or ARN
   * @param source the `source` of every event published (e.g. "procure.workflow")
   */
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source: string,
  ) {}

  /** Publishes one event; throws {@link EventPublishError} when EventBridge did not accept it. */
  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: this.busName, Source: this.source, DetailType: detailType, Detail: JSON.stringify(detail) }],
      }),
    );
    // PutEvents reports per-entry failures in a 200 response; ignoring them would lose events silently.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.find((e) => e.ErrorCode);
      throw new EventPublishError(
        `EventBridge rejected "${detailType}" on ${this.busName}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}
