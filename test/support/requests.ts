import type { PurchaseRequest } from '../../lambdas/core/purchase-request';

/** A valid CoCalc purchase request body. */
export function cocalcRequest(over: Partial<Record<keyof PurchaseRequest, unknown>> = {}): Record<string, unknown> {
  return {
    requestId: 'req-cocalc-1',
    vendor: 'cocalc',
    requester: { email: 'ada@example.com', name: 'Ada Lovelace' },
    reason: 'Course project for CS101',
    item: {
      description: {
        user: 'academic',
        period: 'monthly',
        run_limit: 2,
        ram: 4,
        cpu: 1,
        disk: 10,
        member: true,
        uptime: 'short',
      },
    },
    ...over,
  };
}

/** A valid InterServer purchase request body. */
export function interserverRequest(over: Partial<Record<keyof PurchaseRequest, unknown>> = {}): Record<string, unknown> {
  return {
    requestId: 'req-is-1',
    vendor: 'interserver',
    requester: { email: 'grace@example.com', name: 'Grace Hopper' },
    reason: 'cPanel for the new web server',
    item: { ip: '203.0.113.10', licenseType: 5006 },
    ...over,
  };
}
