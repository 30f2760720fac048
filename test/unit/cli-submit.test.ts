import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestFileError, readPurchaseRequest } from '../../lib/cli/submit';
import { cocalcRequest, interserverRequest } from '../support/requests';

describe('readPurchaseRequest (procure submit)', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'procure-cli-submit-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a valid request and keeps the body as written (the API applies the defaults itself)', () => {
    const body = interserverRequest({ requestId: 'ok-1' });
    const r = readPurchaseRequest(file('ok.json', JSON.stringify(body)));
    expect(r).toEqual({ body, requestId: 'ok-1', vendor: 'interserver' });
  });

  it('lists every schema issue, with its path', () => {
    const bad = cocalcRequest({
      requestId: 'has spaces',
      vendor: 'cocalc',
      item: { description: { ...(cocalcRequest().item as { description: object }).description, ram: 64 } },
    });
    const path = file('bad.json', JSON.stringify(bad));
    const err = (() => {
      try {
        readPurchaseRequest(path);
      } catch (e) {
        return e;
      }
      return undefined;
    })() as InvalidRequestFileError;
    expect(err).toBeInstanceOf(InvalidRequestFileError);
    expect(err.issues).toEqual([
      'requestId: requestId may contain only letters, digits and . _ : -',
      'item.description.ram: ram must be between 4 and 16 for a regular license',
    ]);
    expect(err.message).toBe(`${path} is not a valid purchase request (nothing was sent):\n  - ${err.issues.join('\n  - ')}`);
  });

  it('checks notifyRequester with the shared schema: false passes as written, a string is refused', () => {
    const quiet = interserverRequest({ requestId: 'quiet-1', notifyRequester: false });
    expect(readPurchaseRequest(file('quiet.json', JSON.stringify(quiet)))).toEqual({ body: quiet, requestId: 'quiet-1', vendor: 'interserver' });
    const loud = file('loud.json', JSON.stringify(interserverRequest({ requestId: 'loud-1', notifyRequester: 'yes' })));
    expect(() => readPurchaseRequest(loud)).toThrow(/notifyRequester: notifyRequester must be true or false/);
  });

  it('refuses an unknown vendor and text that is not JSON', () => {
    expect(() => readPurchaseRequest(file('acme.json', JSON.stringify({ ...interserverRequest(), vendor: 'acme' })))).toThrow(/vendor: /);
    expect(() => readPurchaseRequest(file('text.json', 'requestId: 1'))).toThrow(/not JSON: /);
  });

  it('says when the file cannot be read', () => {
    expect(() => readPurchaseRequest(join(dir, 'missing.json'))).toThrow(`cannot read ${join(dir, 'missing.json')}: no such file`);
  });
});
