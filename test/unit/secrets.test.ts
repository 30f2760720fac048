import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider as PowertoolsSecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { secretsProvider, SecretUnavailableError } from '../../lambdas/shared/secrets';
import { startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';

// Secrets Manager has no local emulator: a loopback stub answers GetSecretValue for the real SDK client.
const SECRETS: Record<string, string> = {
  plain: 'hunter2-signing-key',
  json: JSON.stringify({ apiKey: 'sk-live-123' }),
  notjson: 'sk-live-NOT-JSON-456',
  array: '["sk-in-array-789"]',
};

describe('secretsProvider', () => {
  let stub: LoopbackAws;
  beforeAll(async () => {
    stub = await startLoopbackAws((req) => {
      const id = String(req.body.SecretId);
      const value = SECRETS[id];
      return value === undefined
        ? { errorType: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret.` }
        : { body: { ARN: `arn:${id}`, Name: id, SecretString: value, VersionId: 'v1' } };
    });
  });
  afterAll(async () => stub.close());

  const make = () => secretsProvider({ provider: new PowertoolsSecretsProvider({ awsSdkV3Client: new SecretsManagerClient(stub.clientConfig()) }) });

  it('reads a string secret and serves repeats from its cache', async () => {
    const provider = make();
    const before = stub.requests.length;

    expect(await provider.getString('plain')).toBe('hunter2-signing-key');
    expect(await provider.getString('plain')).toBe('hunter2-signing-key');

    expect(stub.requests.length - before).toBe(1);
  });

  it('parses a JSON object secret', async () => {
    expect(await make().getJson<{ apiKey: string }>('json')).toEqual({ apiKey: 'sk-live-123' });
  });

  it('rejects a secret that is not JSON without quoting its value', async () => {
    const err = await make()
      .getJson('notjson')
      .catch((e: unknown) => e as Error);

    expect(err).toBeInstanceOf(SecretUnavailableError);
    expect(err.message).toContain('notjson');
    expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain('sk-live-NOT-JSON-456');
  });

  it('rejects a JSON secret that is not an object without quoting its value', async () => {
    const err = await make()
      .getJson('array')
      .catch((e: unknown) => e as Error);

    expect(err).toBeInstanceOf(SecretUnavailableError);
    expect(err.message).not.toContain('sk-in-array-789');
  });

  it('reports a missing secret by id and AWS error name', async () => {
    await expect(make().getString('nope')).rejects.toThrow(/secret nope could not be read/);
  });
});
