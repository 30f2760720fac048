import { describe, expect, it } from 'vitest';
import { requestRouteOf } from '../../lib/cli/request-route';
import type { LocalRule } from '../../lib/local/event-rules';

const rule = (pattern: Record<string, unknown>, busName = 'default', name = 'R'): LocalRule => ({
  logicalId: 'R',
  name,
  busName,
  pattern,
  enabled: true,
  targets: [],
});

describe('requestRouteOf', () => {
  it("takes the source, bus and name of the template's purchase-request rule (requestEventSource is configurable)", () => {
    const rules = [
      rule({ source: ['other'], 'detail-type': ['Something Else'] }),
      rule({ source: ['acme.licensing'], 'detail-type': ['License Purchase Requested'] }, 'procure-bus', 'Procure-Trigger'),
    ];
    expect(requestRouteOf({ eventRules: rules })).toEqual({ source: 'acme.licensing', busName: 'procure-bus', ruleName: 'Procure-Trigger' });
  });

  it('falls back to the documented default when no rule matches', () => {
    expect(requestRouteOf({ eventRules: [rule({ source: ['x'], 'detail-type': ['Other'] })] })).toEqual({ source: 'procure.requests', busName: 'default' });
  });
});
