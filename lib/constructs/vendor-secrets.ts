import { SecretValue, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { byVendor, capitalized, profileOf, type VENDOR_PROFILES, type Vendor } from '../../lambdas/core/vendors';
import { secretJsonShape, VENDOR_SECRET_PLACEHOLDERS } from '../../lambdas/shared/vendor-secret-shapes';

/** Length of the generated approval-link signing key (alphanumeric, about 380 bits). */
export const SIGNING_KEY_LENGTH = 64;

/**
 * procure's secrets, each read only by the functions that need it (the stack grants `grantRead`
 * per function):
 * - one a vendor of the registry (lambdas/core/vendors.ts), construct id the vendor's name
 *   capitalized (`Cocalc`), JSON with the fields of its profile's `secretFields` (CoCalc
 *   `{"apiKey": "..."}`, InterServer `{"username": "...", "password": "..."}`);
 * - `signingKey`: the HMAC key of approval links, a generated 64-character alphanumeric string
 *   (raw, not JSON), which nobody ever needs to see.
 * All use the account's `aws/secretsmanager` key, so readers need no KMS grant.
 */
export class VendorSecrets extends Construct {
  readonly vendors: Readonly<Record<Vendor, Secret>>;
  readonly signingKey: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vendors = byVendor((v) => this.vendorSecret(profileOf(v)));
    this.signingKey = new Secret(this, 'ApprovalSigningKey', {
      description: 'procure: HMAC key of approval links (generated)',
      generateSecretString: {
        passwordLength: SIGNING_KEY_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
        requireEachIncludedType: true,
      },
    });

    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link-signing key invalidates every approval link still waiting (up to the approval timeout); it is rotated deliberately by hand between approval windows, not on a schedule.',
    });
  }

  /** A vendor's secret, created holding the placeholder in each of its fields. */
  private vendorSecret(profile: (typeof VENDOR_PROFILES)[number]): Secret {
    const secret = new Secret(this, capitalized(profile.name), {
      description: `procure: ${profile.secretDescription}, JSON ${secretJsonShape(profile.name)}; replace the placeholder after the first deploy`,
      // A placeholder, not a credential: the operator writes the real key once after the first
      // deploy (put-secret-value); CloudFormation writes SecretString only when this template value
      // changes, so later deploys keep it. The gateways refuse the placeholder by name.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(VENDOR_SECRET_PLACEHOLDERS[profile.name])),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Vendor credentials are issued by the vendor in its web console, and procure's vendors offer no API to create a new key, so a rotation Lambda has nothing to call. Operators rotate by hand (put-secret-value).",
    });
    return secret;
  }
}
