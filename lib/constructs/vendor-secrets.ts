import { SecretValue, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { VENDOR_SECRET_PLACEHOLDERS } from '../../lambdas/shared/vendor-secret-shapes';

/** Length of the generated approval-link signing key (alphanumeric, about 380 bits). */
export const SIGNING_KEY_LENGTH = 64;

/**
 * procure's three secrets, each read only by the functions that need it (the stack grants
 * `grantRead` per function):
 * - `cocalc`: CoCalc API v2 key, JSON `{"apiKey": "..."}`;
 * - `interserver`: InterServer SOAP login, JSON `{"username": "...", "password": "..."}`;
 * - `signingKey`: the HMAC key of approval links, a generated 64-character alphanumeric string
 *   (raw, not JSON), which nobody ever needs to see.
 * All use the account's `aws/secretsmanager` key, so readers need no KMS grant.
 */
export class VendorSecrets extends Construct {
  readonly cocalc: Secret;
  readonly interserver: Secret;
  readonly signingKey: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.cocalc = new Secret(this, 'Cocalc', {
      description: 'procure: CoCalc API v2 key, JSON {"apiKey":"..."}; replace the placeholder after the first deploy',
      // A placeholder, not a credential: the operator writes the real key once after the first
      // deploy (put-secret-value); CloudFormation writes SecretString only when this template value
      // changes, so later deploys keep it. The gateways refuse the placeholder by name.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(VENDOR_SECRET_PLACEHOLDERS.cocalc)),
    });
    this.interserver = new Secret(this, 'Interserver', {
      description: 'procure: InterServer SOAP login, JSON {"username":"...","password":"..."}; replace the placeholder after the first deploy',
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(VENDOR_SECRET_PLACEHOLDERS.interserver)),
    });
    this.signingKey = new Secret(this, 'ApprovalSigningKey', {
      description: 'procure: HMAC key of approval links (generated)',
      generateSecretString: {
        passwordLength: SIGNING_KEY_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
        requireEachIncludedType: true,
      },
    });

    for (const vendorSecret of [this.cocalc, this.interserver]) {
      Validations.of(vendorSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Vendor credentials are issued by CoCalc / InterServer in their web consoles; neither offers an API to create a new key, so a rotation Lambda has nothing to call. Operators rotate by hand (put-secret-value).',
      });
    }
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link-signing key invalidates every approval link still waiting (up to the approval timeout); it is rotated deliberately by hand between approval windows, not on a schedule.',
    });
  }
}
