import { secretsProvider } from '../shared/secrets';

/**
 * Composition root (README.md): the approval-link signing key, read from Secrets Manager through
 * the process's cached provider (one read per cold start and cache period).
 */
export function signingKey(secretId: string): () => Promise<string> {
  const secrets = secretsProvider();
  return () => secrets.getString(secretId);
}
