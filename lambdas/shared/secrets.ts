import { SecretsProvider as PowertoolsSecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsProvider } from '../core/ports';
import { secretsManagerClient } from './aws-clients/secrets-manager';

/**
 * Production {@link SecretsProvider}: Powertools' Secrets Manager provider (the engine behind
 * `getSecret`), cached in memory and built on the shared Secrets Manager client so
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` reaches the local facade. Error messages name the secret id,
 * never its value.
 */

/** A secret could not be read or had the wrong shape. The message never contains the value. */
export class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
  constructor(message: string) {
    super(message);
  }
}

/**
 * A vendor secret still holds the placeholder it was created with: nobody stored the credential
 * after the deploy. The message names the secret, the fields and the command that sets them, and
 * no value.
 */
export class SecretPlaceholderError extends SecretUnavailableError {
  override name = 'SecretPlaceholderError';
  constructor(
    readonly secretId: string,
    readonly fields: readonly string[],
    command: string,
  ) {
    super(`secret ${secretId} still holds its placeholder in ${fields.map((f) => `"${f}"`).join(', ')}; store the credential with: ${command}`);
  }
}

/** Options for {@link secretsProvider}. */
export interface SecretsProviderOptions {
  /**
   * Cache lifetime in seconds. A rotated secret is picked up within this time.
   * @default 300
   */
  readonly maxAgeSeconds?: number;
  /** Powertools provider to use instead of one on the shared client (tests). */
  readonly provider?: Pick<PowertoolsSecretsProvider, 'get'>;
}

/** Builds a cached secrets provider; call once per cold start. */
export function secretsProvider(options: SecretsProviderOptions = {}): SecretsProvider {
  const maxAge = options.maxAgeSeconds ?? 300;
  const provider = options.provider ?? new PowertoolsSecretsProvider({ awsSdkV3Client: secretsManagerClient() });

  async function getString(secretId: string): Promise<string> {
    let value: unknown;
    try {
      value = await provider.get(secretId, { maxAge });
    } catch (err) {
      // SDK errors carry no secret material; keep the name for diagnosis (e.g. ResourceNotFoundException).
      const cause = (err as { cause?: { name?: string } }).cause?.name ?? (err as Error).name;
      throw new SecretUnavailableError(`secret ${secretId} could not be read (${cause})`);
    }
    if (typeof value === 'string' && value.length > 0) return value;
    if (value instanceof Uint8Array && value.length > 0) return Buffer.from(value).toString('utf8');
    throw new SecretUnavailableError(`secret ${secretId} is empty or has no string value`);
  }

  return {
    getString,
    async getJson<T = Record<string, unknown>>(secretId: string): Promise<T> {
      const raw = await getString(secretId);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        // JSON.parse messages quote the input text: never pass them on.
        throw new SecretUnavailableError(`secret ${secretId} is not valid JSON`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new SecretUnavailableError(`secret ${secretId} must be a JSON object`);
      }
      return parsed as T;
    },
  };
}
