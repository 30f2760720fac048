import { AwsServiceError } from './aws-error';
import type { JsonOperation } from './aws-endpoint';
import type { SecretsVault } from './secrets-vault';

/**
 * Secrets Manager's GetSecretValue (and DescribeSecret) answered from the local vault. Only the
 * current version exists locally (stage AWSCURRENT).
 */
export function secretsFacade(vault: SecretsVault): JsonOperation {
  return (operation, body) => {
    const secretId = typeof body.SecretId === 'string' ? body.SecretId : '';
    if (!secretId)
      throw new AwsServiceError(
        'ValidationException',
        "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must not be null",
      );
    const secret = vault.find(secretId);
    if (!secret) throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const created = Date.parse(secret.createdDate) / 1000;
    switch (operation) {
      case 'GetSecretValue': {
        if (body.VersionStage !== undefined && body.VersionStage !== 'AWSCURRENT') {
          throw new AwsServiceError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for staging label: ${String(body.VersionStage)}`,
          );
        }
        if (body.VersionId !== undefined && body.VersionId !== secret.versionId) {
          throw new AwsServiceError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for VersionId: ${String(body.VersionId)}`,
          );
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secret.value,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: created,
        };
      }
      case 'DescribeSecret':
        return { ARN: secret.arn, Name: secret.name, CreatedDate: created, VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] } };
      default:
        throw new AwsServiceError('UnknownOperationException', `the local Secrets Manager facade does not implement ${operation}`);
    }
  };
}
