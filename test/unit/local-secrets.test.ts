import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '../../lib/local/aws-endpoint';
import { secretsFacade } from '../../lib/local/secrets-facade';
import { generateSecretString, SecretsVault, type SecretDeclaration } from '../../lib/local/secrets-vault';
import { useEndpointEnv } from '../support/endpoint-env';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:SecretsCocalc1234ABCD-AbCdEf';
const declarations: SecretDeclaration[] = [
  { logicalId: 'SecretsCocalc1234ABCD', name: 'SecretsCocalc1234ABCD', arn: ARN, initialValue: () => JSON.stringify({ apiKey: 'sk-local-1' }) },
  {
    logicalId: 'SigningKey5678EFAB',
    name: 'procure/signing',
    arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:procure/signing-XyZabc',
    initialValue: () => 'k'.repeat(43),
  },
];

describe('the local Secrets Manager', () => {
  let dir: string;
  let file: string;
  let endpoint: AwsEndpoint;
  let restoreEnv: () => void;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procure-secrets-'));
    file = join(dir, 'data', 'secrets.json');
    const umask = process.umask(0o000); // a permissive umask must not leak into the file mode
    let vault: SecretsVault;
    try {
      vault = SecretsVault.open(declarations, { file, log: (l) => logs.push(l) });
    } finally {
      process.umask(umask);
    }
    endpoint = await startAwsEndpoint({ secretsManager: secretsFacade(vault) });
    restoreEnv = useEndpointEnv({ AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url });
  });

  afterAll(async () => {
    restoreEnv();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the secrets file on first start, readable by its owner only', () => {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { secrets: Record<string, { value: string; arn: string }> };
    expect(Object.keys(stored.secrets)).toEqual(['SecretsCocalc1234ABCD', 'SigningKey5678EFAB']);
    expect(stored.secrets.SecretsCocalc1234ABCD?.arn).toBe(ARN);
  });

  it('never writes a secret value to the log', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toMatch(/sk-local-1|kkkkkkkk/);
  });

  it('answers GetSecretValue through the real SDK client (AWS_ENDPOINT_URL_SECRETS_MANAGER) by ARN, partial ARN, name or logical id', async () => {
    const client = new SecretsManagerClient({});
    for (const id of [ARN, ARN.slice(0, -7), 'SecretsCocalc1234ABCD']) {
      const out = await client.send(new GetSecretValueCommand({ SecretId: id }));
      expect(out).toMatchObject({ ARN, Name: 'SecretsCocalc1234ABCD', SecretString: '{"apiKey":"sk-local-1"}', VersionStages: ['AWSCURRENT'] });
      expect(out.CreatedDate).toBeInstanceOf(Date);
    }
    const signing = await client.send(new GetSecretValueCommand({ SecretId: 'procure/signing' }));
    expect(signing.SecretString).toHaveLength(43);
    const missing = await client.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as Error).message).toBe("Secrets Manager can't find the specified secret.");
    client.destroy();
  });

  it('keeps the stored values on the next start, adds new secrets, and restores the file mode', () => {
    chmodSync(file, 0o644);
    const more: SecretDeclaration[] = [
      { ...declarations[0]!, initialValue: () => 'would-overwrite' },
      declarations[1]!,
      { logicalId: 'Extra1', name: 'Extra1', arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:Extra1-aaaaaa', initialValue: () => 'x' },
    ];
    const vault = SecretsVault.open(more, { file });
    expect(vault.find(ARN)?.value).toBe('{"apiKey":"sk-local-1"}');
    expect(vault.find('Extra1')?.value).toBe('x');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt secrets file instead of replacing it', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    expect(() => SecretsVault.open(declarations, { file: bad })).toThrow(/not a valid secrets file/);
  });

  it('generates values like GenerateSecretString', () => {
    const v = JSON.parse(
      generateSecretString({ SecretStringTemplate: '{"username":"u"}', GenerateStringKey: 'password', PasswordLength: 20, ExcludePunctuation: true }),
    ) as Record<string, string>;
    expect(v.username).toBe('u');
    expect(v.password).toMatch(/^[A-Za-z0-9]{20}$/);
  });
});
