import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Created once per cold start; see ./dynamodb.ts for why each client has its own module. */
let secrets: SecretsManagerClient | undefined;

/** Secrets Manager client, shared with the Powertools secrets provider. */
export function secretsManagerClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient({});
  return secrets;
}
