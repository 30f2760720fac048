import type { z } from 'zod';
import type { purchaseRequestSchema } from '../../lambdas/core/purchase-request';

/** A request body as a client writes it (schema defaults not yet applied). */
export type PurchaseRequestBody = z.input<typeof purchaseRequestSchema>;

/**
 * The purchases `procure local` and `procure demo` submit: one per vendor, valid against
 * lambdas/core/purchase-request.ts, bought from the local sandboxes. The requestId is the caller's
 * idempotency key, so each run passes a fresh one.
 */
export function sampleCocalcRequest(requestId: string): PurchaseRequestBody {
  return {
    requestId,
    vendor: 'cocalc',
    requester: { email: 'ada@example.com', name: 'Ada Lovelace' },
    reason: 'Course project for CS101',
    item: { description: { user: 'academic', period: 'monthly', run_limit: 2, ram: 4, cpu: 1, disk: 10, member: true, uptime: 'short' } },
  };
}

export function sampleInterserverRequest(requestId: string): PurchaseRequestBody {
  return {
    requestId,
    vendor: 'interserver',
    requester: { email: 'grace@example.com', name: 'Grace Hopper' },
    reason: 'cPanel for the new web server',
    item: { ip: '203.0.113.10', licenseType: 5006 },
  };
}

/** A requestId that differs per run and says when it was made: `sample-20261128T230003Z`. */
export function timestampedRequestId(prefix: string, now = new Date()): string {
  return `${prefix}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}
