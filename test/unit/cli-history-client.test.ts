import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApiTarget } from '../../lib/cli/api-client';
import { executionHistory } from '../../lib/cli/history-client';
import { useEndpointEnv } from '../support/endpoint-env';

const ARN = 'arn:aws:states:eu-west-1:111122223333:execution:Procure-Purchase:pur-0123456789abcdef0123456789abcdef';

/**
 * `procure graph --purchase` against a deployment: the history is read with the AWS SDK from Step
 * Functions in the execution's region, signed with the caller's credentials. A loopback server
 * answers as Step Functions does (AWS-JSON 1.0), reached the way the SDK reaches any endpoint
 * override (`AWS_ENDPOINT_URL_SFN`), and records what it was sent.
 */
describe('executionHistory for a deployment', () => {
  let server: Server;
  let restoreEnv: () => void;
  const seen: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  let answer: (body: Record<string, unknown>) => { status: number; json: unknown } = () => ({ status: 200, json: { events: [] } });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        seen.push({ headers: req.headers, body });
        const { status, json } = answer(body);
        const type = (json as { __type?: string }).__type;
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(json));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    restoreEnv = useEndpointEnv({ AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_REGION: 'us-east-1' });
  });

  afterAll(async () => {
    restoreEnv();
    await new Promise((r) => server.close(r));
  });

  const deployment = () => resolveApiTarget({ api: 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod' });

  it('reads every page, from the execution region, signed with the caller credentials', async () => {
    seen.length = 0;
    const event = (id: number, name: string) => ({
      id,
      previousEventId: id - 1,
      timestamp: 1_765_000_000 + id,
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name },
    });
    answer = (body) =>
      body.nextToken ? { status: 200, json: { events: [event(2, 'B')] } } : { status: 200, json: { events: [event(1, 'A')], nextToken: 'page-2' } };
    const events = await executionHistory(deployment(), ARN);
    expect(events.map((e) => e.stateEnteredEventDetails?.name)).toEqual(['A', 'B']);
    expect(events[0]!.timestamp).toEqual(new Date(1_765_000_001_000));
    expect(seen.map((s) => s.body)).toEqual([
      { executionArn: ARN, maxResults: 1000, includeExecutionData: false },
      { executionArn: ARN, maxResults: 1000, includeExecutionData: false, nextToken: 'page-2' },
    ]);
    expect(seen[0]!.headers['x-amz-target']).toBe('AWSStepFunctions.GetExecutionHistory');
    expect(String(seen[0]!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=LOCALACCESSKEY\/\d{8}\/eu-west-1\/states\/aws4_request/);
  });

  it('names a missing execution and passes on any other refusal with its code', async () => {
    answer = () => ({ status: 400, json: { __type: 'ExecutionDoesNotExist', message: 'Execution Does Not Exist' } });
    await expect(executionHistory(deployment(), ARN)).rejects.toThrow(
      `Step Functions has no execution ${ARN} (AWS keeps a closed execution's history for 90 days)`,
    );
    answer = () => ({ status: 400, json: { __type: 'AccessDeniedException', message: 'not authorized to perform: states:GetExecutionHistory' } });
    await expect(executionHistory(deployment(), ARN)).rejects.toThrow(
      /^GetExecutionHistory failed: AccessDeniedException: not authorized to perform: states:GetExecutionHistory$/,
    );
  });

  it('asks for the data dir when a loopback --api leaves the local Step Functions endpoint unknown', async () => {
    const loopback = resolveApiTarget({ api: 'http://127.0.0.1:3000', dataDir: '/nonexistent' });
    await expect(executionHistory(loopback, ARN)).rejects.toThrow(/use --data-dir \(where 'procure local' runs\) instead of a loopback --api/);
  });
});
