import type { CocalcCostInput } from '../lambdas/vendors/cocalc/core/pricing';
import { cocalcRequest, interserverRequest } from '../test/support/requests';

/** Request bodies and price inputs the bench feeds through procure (shapes as in the README). */

/** The tests' CoCalc request with the bench's id (and a reason, when given, to find its mail by). */
export function cocalcRequestBody(requestId: string, reason?: string): Record<string, unknown> {
  return cocalcRequest({ requestId, ...(reason !== undefined ? { reason } : {}) });
}

/** The tests' InterServer request; `n` picks the IP, so repeated runs buy for different servers. */
export function interserverRequestBody(requestId: string, n: number, reason?: string): Record<string, unknown> {
  return interserverRequest({
    requestId,
    ...(reason !== undefined ? { reason } : {}),
    item: { ip: `203.0.113.${(n % 250) + 1}`, licenseType: 5006 },
  });
}

/** A request with several mistakes (every issue is collected, so this is the slow path). */
export const INVALID_REQUEST_BODY = {
  requestId: 'has spaces',
  vendor: 'cocalc',
  requester: { email: 'not-an-email', name: '' },
  reason: '',
  item: { description: { user: 'student', period: 'weekly', run_limit: 0, ram: 99, cpu: 1, disk: 10, member: true, uptime: 'short' } },
};

/** A spread of licence shapes: both user kinds, every period, every uptime. */
export const PRICE_INPUTS: readonly CocalcCostInput[] = [
  { user: 'academic', period: 'monthly', run_limit: 2, ram: 4, cpu: 1, disk: 10, member: true, uptime: 'short' },
  { user: 'business', period: 'yearly', run_limit: 10, ram: 8, cpu: 2, disk: 20, member: true, uptime: 'medium' },
  {
    user: 'academic',
    period: 'range',
    range: ['2030-01-01T00:00:00.000Z', '2030-03-15T00:00:00.000Z'],
    run_limit: 30,
    ram: 2,
    cpu: 1,
    disk: 3,
    member: false,
    uptime: 'short',
  },
  { user: 'business', period: 'monthly', run_limit: 1, ram: 16, cpu: 3, disk: 15, member: true, uptime: 'always_running' },
  { user: 'academic', period: 'yearly', run_limit: 5, ram: 6, cpu: 2, disk: 10, member: true, uptime: 'day' },
];
