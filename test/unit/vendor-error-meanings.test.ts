import { describe, expect, it } from 'vitest';
import * as errors from '../../lambdas/core/errors';
import * as cocalcErrors from '../../lambdas/vendors/cocalc/core/errors';
import * as interserverErrors from '../../lambdas/vendors/interserver/core/errors';
import { classifyEnd } from '../../lambdas/core/outcome-rules';
import { plainReason } from '../../lambdas/core/requester-reasons';
import { VENDOR_PROFILES } from '../../lambdas/core/vendors';
import type { WorkflowState } from '../../lambdas/core/workflow';

/**
 * What a vendor's own errors mean (its profile's `errorMeanings`, issue #10): how a purchase ends
 * (core/outcome-rules.ts) and what its requester reads (core/requester-reasons.ts), from the
 * vendor's declaration rather than a list of names in procure's core.
 */
const lambdaFailure = (name: string) => ({ Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: 'x' }) });
const stateOf = (vendor: WorkflowState['request']['vendor'], error: string): WorkflowState =>
  ({
    purchaseId: 'pur-1',
    request: { vendor } as WorkflowState['request'],
    source: 'api',
    receivedAt: '2026-01-01T00:00:00Z',
    failure: lambdaFailure(error),
  }) as WorkflowState;

describe("a vendor's error meanings", () => {
  it('name error classes that exist and whose thrown name is that literal (the bundles keep no class names)', () => {
    // procure's errors and each vendor's own (vendors/<vendor>/core/errors.ts).
    const classes = { ...errors, ...cocalcErrors, ...interserverErrors } as unknown as Record<string, new (message: string, extra?: unknown) => Error>;
    expect(VENDOR_PROFILES.flatMap((p) => Object.values(p.errorMeanings ?? {}).flat()).length).toBeGreaterThan(0);
    for (const profile of VENDOR_PROFILES) {
      const names = Object.values(profile.errorMeanings ?? {}).flat();
      for (const name of names) {
        expect({ vendor: profile.name, name, thrown: new classes[name]!('x').name }).toEqual({ vendor: profile.name, name, thrown: name });
      }
    }
  });

  it('end a purchase INVALID only for the vendor that declares them', () => {
    expect(classifyEnd(stateOf('interserver', 'InvalidIpError'), undefined, { error: 'InvalidIpError', message: 'x' })).toBe('INVALID');
    expect(classifyEnd(stateOf('cocalc', 'InvalidIpError'), undefined, { error: 'InvalidIpError', message: 'x' })).toBe('FAILED');
    expect(classifyEnd(stateOf('interserver', 'LicenseAlreadyExistsError'), undefined, { error: 'LicenseAlreadyExistsError', message: 'x' })).toBe('FAILED');
  });

  it('tell the requester about credit and about the request as written, for the declaring vendor only', () => {
    expect(plainReason({ status: 'FAILED', vendor: 'cocalc', error: 'InsufficientCreditError' })).toContain('the CoCalc account does not have enough credit');
    expect(plainReason({ status: 'FAILED', vendor: 'interserver', error: 'InsufficientPrepayError' })).toContain(
      'the InterServer account does not have enough credit',
    );
    expect(plainReason({ status: 'FAILED', vendor: 'interserver', error: 'LicenseAlreadyExistsError' })).toContain('could not accept the request as written');
    // Another vendor's error name means nothing particular here.
    expect(plainReason({ status: 'FAILED', vendor: 'cocalc', error: 'InsufficientPrepayError' })).toContain('a problem at CoCalc or in procure');
  });
});
