import { describe, expect, it } from 'vitest';
import { parsePurchaseRequest, wantsNotices } from '../../lambdas/core/purchase-request';
import { InvalidRequestError } from '../../lambdas/core/errors';

const cocalc = {
  requestId: 'req-1',
  requester: { email: 'ana@example.com', name: 'Ana' },
  reason: 'course licenses',
  vendor: 'cocalc',
  item: {
    description: {
      user: 'business',
      period: 'monthly',
      run_limit: 1,
      ram: 16,
      cpu: 2,
      disk: 10,
      member: true,
      uptime: 'medium',
      title: 'my title',
      description: 'my desc',
    },
  },
};

describe('purchase request schema', () => {
  it('accepts the seed document example and fills the vendor defaults', () => {
    const r = parsePurchaseRequest(cocalc);
    expect(r.vendor).toBe('cocalc');
    if (r.vendor === 'cocalc') {
      expect(r.item.description.type).toBe('quota');
      expect(r.item.description.boost).toBe(false);
    }
  });

  it('rejects RAM above the store limit with a reason naming the field', () => {
    const bad = structuredClone(cocalc);
    bad.item.description.ram = 64;
    expect(() => parsePurchaseRequest(bad)).toThrow(InvalidRequestError);
    try {
      parsePurchaseRequest(bad);
    } catch (e) {
      expect((e as InvalidRequestError).issues.join(' ')).toMatch(/item\.description\.ram: ram must be between 4 and 16/);
    }
  });

  it('rejects unknown fields in the license description', () => {
    const bad = structuredClone(cocalc) as Record<string, any>;
    bad.item.description.dedicated_vm = 'huge';
    expect(() => parsePurchaseRequest(bad)).toThrow(/dedicated_vm/);
  });

  it('rejects an InterServer request whose ip is not an address', () => {
    expect(() =>
      parsePurchaseRequest({
        requestId: 'r2',
        requester: { email: 'a@b.co', name: 'A' },
        reason: 'x',
        vendor: 'interserver',
        item: { ip: '1.2.3', licenseType: 5006 },
      }),
    ).toThrow(/ip must be an IPv4 address/);
  });

  it('takes notifyRequester as an optional true or false, notices on unless it is false', () => {
    expect(wantsNotices(parsePurchaseRequest(cocalc))).toBe(true);
    expect(wantsNotices(parsePurchaseRequest({ ...cocalc, notifyRequester: true }))).toBe(true);
    expect(parsePurchaseRequest({ ...cocalc, notifyRequester: false })).toMatchObject({ notifyRequester: false });
    expect(wantsNotices(parsePurchaseRequest({ ...cocalc, notifyRequester: false }))).toBe(false);
  });

  it('refuses a notifyRequester that is not a boolean, naming the field', () => {
    for (const bad of ['no', 0, null]) {
      expect(() => parsePurchaseRequest({ ...cocalc, notifyRequester: bad })).toThrow(/notifyRequester: notifyRequester must be true or false/);
    }
  });

  it('rejects a request without a requestId', () => {
    const { requestId: _omit, ...rest } = cocalc;
    expect(() => parsePurchaseRequest(rest)).toThrow(/requestId/);
  });
});
