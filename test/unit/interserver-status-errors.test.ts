import { describe, expect, it } from 'vitest';
import { VendorRejectedError } from '../../lambdas/core/errors';
import {
  AccountLockedError,
  InsufficientPrepayError,
  InvalidCouponError,
  InvalidIpError,
  InvalidLicenseIdError,
  InvalidLicenseTypeError,
  InvalidSessionError,
  IpNotAllowedError,
  LicenseAlreadyExistsError,
} from '../../lambdas/vendors/interserver/core/errors';
import { statusError } from '../../lambdas/vendors/interserver/adapters/status-errors';

/** Every status_text documented in interserver-soap.md §4/§5, mapped to its error class. */
describe('statusError', () => {
  const cases: Array<[string, new (m: string) => Error]> = [
    ['That IP is already licensed in our system\nThat IP is already licensed in our system', LicenseAlreadyExistsError],
    ['Invalid IP Address', InvalidIpError],
    ['Invalid IP Address\n', InvalidIpError],
    ["Invalid licenses Coupon 'X' Specified for type '5006'", InvalidCouponError],
    ['You do not have enough Pre-Pay This (Available for a new license: $5 vs License Cost 12)', InsufficientPrepayError],
    ['Locked Account.', AccountLockedError],
    ['Your IP appears to be within the InterServer Network. Because of this your license should be changed to a X License.', IpNotAllowedError],
    ['This IP does not appear to be a InterServer IP', IpNotAllowedError],
    ['Invalid Session ID', InvalidSessionError],
    ['Invalid License ID', InvalidLicenseIdError],
    ['Invalid License Type', InvalidLicenseTypeError],
    ['Invalid License IP/Type', VendorRejectedError],
    ['Invalid Invoice Number Passed or missing Module information.', VendorRejectedError],
    ['', VendorRejectedError],
  ];
  it.each(cases)('maps %j', (text, ErrorClass) => {
    const err = statusError('api_x', text);
    expect(err.constructor).toBe(ErrorClass);
    expect(err.name).toBe(ErrorClass.name);
  });

  it('maps by the first recognised line and keeps the whole text in the message', () => {
    const err = statusError('api_buy_license', 'Something new\nLocked Account.\nThat IP is already licensed in our system\n');
    expect(err).toBeInstanceOf(AccountLockedError);
    expect(err.message).toBe('InterServer api_buy_license failed: Something new\nLocked Account.\nThat IP is already licensed in our system');
  });
});
