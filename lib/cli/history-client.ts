import { ExecutionDoesNotExist, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { ApiTarget } from './api-client';

/**
 * An execution's Step Functions history, every page, through the AWS SDK as any client reads it:
 * from the local runtime's loopback Step Functions endpoint (runtime.json, signed with its per-run
 * credentials) or from AWS in the execution's region with the default credential chain (the
 * caller needs `states:GetExecutionHistory` on the state machine's executions).
 */
export async function executionHistory(target: ApiTarget, executionArn: string): Promise<HistoryEvent[]> {
  if (target.local && !target.eventsEndpoint) {
    throw new Error(
      "the local runtime's Step Functions endpoint is recorded in its runtime.json: use --data-dir (where 'procure local' runs) instead of a loopback --api",
    );
  }
  const region = /^arn:[^:]+:states:([a-z0-9-]+):/.exec(executionArn)?.[1] ?? target.region;
  const client = new SFNClient({
    region,
    credentials: target.credentials,
    ...(target.local ? { endpoint: target.eventsEndpoint } : {}),
    maxAttempts: 2,
  });
  const events: HistoryEvent[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: false, ...(nextToken ? { nextToken } : {}) }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  } catch (err) {
    if (err instanceof ExecutionDoesNotExist)
      throw new Error(`Step Functions has no execution ${executionArn} (AWS keeps a closed execution's history for 90 days)`);
    const e = err as Error & { code?: string };
    if (e.code === 'ECONNREFUSED') throw new Error(`cannot reach the local Step Functions endpoint (ECONNREFUSED): is 'npm start' still running?`);
    throw new Error(`GetExecutionHistory failed: ${e.name}: ${e.message}`);
  } finally {
    client.destroy();
  }
}
