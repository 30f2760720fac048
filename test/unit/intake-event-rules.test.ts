import { describe, expect, it } from 'vitest';
import { RequestConflictError, VendorTransientError } from '../../lambdas/core/errors';
import { refusalOf } from '../../lambdas/core/intake-event';
import { RequestRejectedError } from '../../lambdas/core/submit-purchase';
import { purchaseIdFor } from '../../lambdas/core/workflow';

/** The EventBridge intake's rule: which errors are refusals answered with a failed event (never thrown), and what that event names. */
describe('an intake error as a refusal', () => {
  it.each([
    {
      why: 'an invalid request: rejected, under its audit id',
      err: new RequestRejectedError('invalid request', ['maxCost: must be a number'], 'invalid-1', 'req-1'),
      detail: { requestId: 'req-1' },
      expected: { code: 'REQUEST_REJECTED', reason: 'invalid request', reasons: ['maxCost: must be a number'], purchaseId: 'invalid-1', requestId: 'req-1' },
    },
    {
      why: 'an invalid request without a requestId',
      err: new RequestRejectedError('invalid request', ['requestId: required'], 'invalid-2'),
      detail: {},
      expected: { code: 'REQUEST_REJECTED', reason: 'invalid request', reasons: ['requestId: required'], purchaseId: 'invalid-2' },
    },
    {
      why: 'a requestId used with another body: a conflict, named by the earlier purchase',
      err: new RequestConflictError('requestId req-2 was used with another request'),
      detail: { requestId: 'req-2' },
      expected: {
        code: 'REQUEST_CONFLICT',
        reason: 'requestId req-2 was used with another request',
        reasons: ['requestId req-2 was used with another request'],
        purchaseId: purchaseIdFor('req-2'),
        requestId: 'req-2',
      },
    },
    {
      why: 'a conflict whose requestId cannot be read',
      err: new RequestConflictError('conflict'),
      detail: { requestId: 'no spaces allowed' },
      expected: { code: 'REQUEST_CONFLICT', reason: 'conflict', reasons: ['conflict'], purchaseId: 'unknown' },
    },
    { why: 'an AWS error is thrown (EventBridge retries; intake is idempotent)', err: new VendorTransientError('throttled'), detail: {}, expected: undefined },
    { why: 'a bug is thrown', err: new Error('bug'), detail: {}, expected: undefined },
  ])('$why', ({ err, detail, expected }) => {
    expect(refusalOf(err, detail)).toEqual(expected);
  });
});
