import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { vendorLabel, VENDORS, type Vendor } from '../../../lambdas/core/vendors';
import {
  placeholderFields,
  putSecretValueCommand,
  SECRET_PLACEHOLDER,
  secretFieldsOf,
  secretOf,
  type SecretVendor,
} from '../../../lambdas/shared/vendor-secret-shapes';
import { awsConfig } from './aws-config';
import { errorText, fail, pass, type CheckResult } from './check';
import type { DoctorTarget } from './target';

/** The vendor credentials the secrets hold, for the vendor checks, and every value read (for scrubbing). */
export type SecretValues = { [V in Vendor]?: Readonly<Record<string, string>> } & {
  /** Every secret value read, so the report can never show one. */
  sensitive: string[];
};

/** The approval-link key's minimum (lambdas/core/approval-link.ts refuses shorter keys). */
const MIN_SIGNING_KEY_LENGTH = 16;

const labelOf = (which: SecretVendor | 'signing'): string => (which === 'signing' ? 'approval signing key' : vendorLabel(which));

/** How to set a secret: the AWS CLI command on a deployment, the secrets file locally. */
export function secretFix(t: DoctorTarget, which: SecretVendor | 'signing'): string {
  const id = t.resources.secrets[which];
  if (t.kind === 'local') return `edit ${t.dataDir}/secrets.json (the entry whose arn is ${id}) and restart the local runtime`;
  if (which === 'signing') return `aws secretsmanager put-secret-value --secret-id ${id} --secret-string "$(openssl rand -hex 32)"`;
  return putSecretValueCommand(which, id);
}

/** Reads every secret once (each vendor's, then the signing key): set, well formed, not the placeholder. */
export async function checkSecrets(t: DoctorTarget): Promise<{ checks: CheckResult[]; values: SecretValues }> {
  const client = new SecretsManagerClient(awsConfig(t, 'aws'));
  const values: SecretValues = { sensitive: [] };
  try {
    const read = async (which: SecretVendor | 'signing'): Promise<string | CheckResult> => {
      try {
        const value = (await client.send(new GetSecretValueCommand({ SecretId: t.resources.secrets[which] }))).SecretString ?? '';
        values.sensitive.push(value);
        return value;
      } catch (err) {
        return fail(
          `secret: ${labelOf(which)}`,
          `cannot read ${t.resources.secrets[which]}: ${errorText(err)}`,
          t.kind === 'local'
            ? 'restart the local runtime (npm start)'
            : 'use AWS credentials allowed secretsmanager:GetSecretValue on it, and check the stack is deployed',
        );
      }
    };
    const [signing, ...vendors] = await Promise.all([read('signing'), ...VENDORS.map(read)]);
    const checks = [...VENDORS.map((v, i) => vendorSecret(t, v, vendors[i]!, values)), signingSecret(t, signing!)];
    return { checks, values };
  } finally {
    client.destroy();
  }
}

function vendorSecret(t: DoctorTarget, vendor: SecretVendor, value: string | CheckResult, out: SecretValues): CheckResult {
  const name = `secret: ${labelOf(vendor)}`;
  const fields = secretFieldsOf(vendor);
  if (typeof value !== 'string') return value;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  } catch {
    return fail(name, `${t.resources.secrets[vendor]} is not a JSON object with ${fields.join(', ')}`, secretFix(t, vendor));
  }
  const placeholders = placeholderFields(vendor, parsed);
  if (placeholders.length) return fail(name, `still the deploy-time placeholder ${SECRET_PLACEHOLDER} in ${placeholders.join(', ')}`, secretFix(t, vendor));
  const missing = fields.filter((f) => typeof parsed[f] !== 'string' || parsed[f] === '');
  if (missing.length) return fail(name, `no non-empty ${missing.join(', ')} string in ${t.resources.secrets[vendor]}`, secretFix(t, vendor));
  for (const f of fields) out.sensitive.push(parsed[f] as string);
  out[vendor] = secretOf(vendor, (f) => parsed[f] as string);
  return pass(name, `${fields.join(', ')} set (not the placeholder)`);
}

function signingSecret(t: DoctorTarget, value: string | CheckResult): CheckResult {
  if (typeof value !== 'string') return value;
  const name = `secret: ${labelOf('signing')}`;
  if (value.length < MIN_SIGNING_KEY_LENGTH)
    return fail(name, `${value.length} characters; approval links need at least ${MIN_SIGNING_KEY_LENGTH}`, secretFix(t, 'signing'));
  return pass(name, `set (${value.length} characters)`);
}
