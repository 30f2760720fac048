import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/cli/args';
import { parseCocalcBaseUrl } from '../../lib/cli/local-options';

describe('procure local: PROCURE_COCALC_BASE_URL', () => {
  it('is unset (the built-in CoCalc sandbox) or an http(s) URL, kept without a trailing slash', () => {
    expect(parseCocalcBaseUrl(undefined)).toBeUndefined();
    expect(parseCocalcBaseUrl(' ')).toBeUndefined();
    expect(parseCocalcBaseUrl('http://127.0.0.1:4100/api/v2/')).toBe('http://127.0.0.1:4100/api/v2');
    expect(parseCocalcBaseUrl('https://cocalc.com/api/v2')).toBe('https://cocalc.com/api/v2');
    for (const bad of ['cocalc.com', 'ftp://cocalc.com/api/v2']) expect(() => parseCocalcBaseUrl(bad)).toThrow(UsageError);
  });
});
