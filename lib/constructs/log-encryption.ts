import { Validations } from 'aws-cdk-lib';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';

/**
 * Acknowledges the Control Tower rule CT.CLOUDWATCH.PR.3 (a customer-managed KMS key on every log
 * group) on one of procure's log groups. CloudWatch Logs encrypts every log group at rest with
 * service-owned keys already; a customer-managed key would add a key, a key policy granting the
 * Logs service principal of the region, and a monthly charge, to protect lines that by design
 * carry no secrets (the logger's redacting replacer, lambdas/shared/logger.ts; Step Functions logs
 * without execution data; access logs without query strings).
 */
export function acknowledgeServiceEncryptedLogs(logGroup: ILogGroup): void {
  Validations.of(logGroup).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason:
      'Encrypted at rest by CloudWatch Logs with service-owned keys; no customer-managed KMS key, because the lines carry no secrets by design (redacting logger, no execution data, no query strings) and a key would add a key policy and a monthly cost.',
  });
}
