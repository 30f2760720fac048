import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../lib/local/http-body';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc/server';
import { startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver/sandbox';
import { streamBody } from '../support/stream-body';

/** Issue 9, bullet 4: the vendor sandboxes refuse request bodies over 1 MiB while reading (413). */
describe('vendor sandbox body caps', () => {
  let cocalc: CocalcSandbox;
  let interserver: InterserverSandbox;

  beforeAll(async () => {
    cocalc = await startCocalcSandbox();
    interserver = await startInterserverSandbox();
  });

  afterAll(async () => {
    await cocalc?.close();
    await interserver?.close();
  });

  it('CoCalc: a declared 2 MiB body and a streamed 300 MiB one are answered 413', async () => {
    const url = `${cocalc.url}/shopping/cart/add`;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * MAX_REQUEST_BYTES) });
    expect(res.status).toBe(413);
    const streamed = await streamBody(url, 300 * 1024 * 1024, { 'content-type': 'application/json' });
    expect(streamed.status).toBe(413);
    expect(streamed.written).toBeLessThan(64 * 1024 * 1024);
  });

  it('InterServer: a declared 2 MiB SOAP body and a streamed 300 MiB one are answered 413', async () => {
    const res = await fetch(interserver.endpoint, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: 'x'.repeat(2 * MAX_REQUEST_BYTES) });
    expect(res.status).toBe(413);
    const streamed = await streamBody(interserver.endpoint, 300 * 1024 * 1024, { 'content-type': 'text/xml' });
    expect(streamed.status).toBe(413);
    expect(streamed.written).toBeLessThan(64 * 1024 * 1024);
  });
});
