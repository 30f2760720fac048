import { beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_KEY_LENGTH, VendorSecrets } from '../../lib/constructs/vendor-secrets';
import { VENDOR_SECRET_PLACEHOLDERS } from '../../lambdas/shared/vendor-secret-shapes';
import { bareStack, templateOf } from './synth';

/** procure's secrets: one a vendor (placeholders in its profile's JSON shape), and a generated signing key. */

let secrets: Array<Record<string, unknown>>;
beforeAll(() => {
  const { stack, dispose } = bareStack('Secrets');
  new VendorSecrets(stack, 'Secrets');
  secrets = Object.values(templateOf(stack).findResources('AWS::SecretsManager::Secret')).map((r) => (r as { Properties: Record<string, unknown> }).Properties);
  dispose();
});

describe('vendor secrets', () => {
  it('creates the CoCalc secret as {"apiKey"} and the InterServer secret as {"username","password"} placeholders', () => {
    const strings = secrets
      .map((p) => p.SecretString)
      .filter((v): v is string => typeof v === 'string')
      .map((v) => JSON.parse(v) as unknown);
    expect(strings).toEqual(expect.arrayContaining([VENDOR_SECRET_PLACEHOLDERS.cocalc, VENDOR_SECRET_PLACEHOLDERS.interserver]));
    expect(Object.keys(VENDOR_SECRET_PLACEHOLDERS.cocalc)).toEqual(['apiKey']);
    expect(Object.keys(VENDOR_SECRET_PLACEHOLDERS.interserver).sort()).toEqual(['password', 'username']);
  });

  it('generates the link-signing key: a raw 64-character string without punctuation, never in the template', () => {
    const generated = secrets.filter((p) => p.GenerateSecretString !== undefined);
    expect(generated).toHaveLength(1);
    expect(generated[0]).not.toHaveProperty('SecretString');
    expect(generated[0]!.GenerateSecretString).toMatchObject({ PasswordLength: SIGNING_KEY_LENGTH, ExcludePunctuation: true, IncludeSpace: false });
    // Raw string, not JSON: no template / key to generate into.
    expect(generated[0]!.GenerateSecretString).not.toHaveProperty('SecretStringTemplate');
    expect(SIGNING_KEY_LENGTH).toBe(64);
  });
});
