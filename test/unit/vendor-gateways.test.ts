import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { COCALC_SANDBOX_DEFAULTS, startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver';
import type { SecretsProvider } from '../../lambdas/core/ports';
import { buildOnce } from '../../lambdas/shared/build-once';
import { buildCocalcGateway } from '../../lambdas/vendors/cocalc/composition/gateway';
import { buildInterserverGateway } from '../../lambdas/vendors/interserver/composition/gateway';
import { SecretPlaceholderError, SecretUnavailableError } from '../../lambdas/shared/secrets';
import { SECRET_PLACEHOLDER, VENDOR_SECRET_PLACEHOLDERS } from '../../lambdas/shared/vendor-secret-shapes';

/** An in-memory SecretsProvider (the port; the Secrets Manager adapter has its own tests). */
class MemorySecrets implements SecretsProvider {
  reads = 0;
  constructor(readonly values: Record<string, Record<string, unknown>>) {}
  async getString(id: string): Promise<string> {
    return JSON.stringify(await this.getJson(id));
  }
  async getJson<T>(id: string): Promise<T> {
    this.reads += 1;
    const v = this.values[id];
    if (!v) throw new SecretUnavailableError(`secret ${id} could not be read (ResourceNotFoundException)`);
    return v as T;
  }
}

/**
 * The gateways as a Lambda process holds them (each vendor's composition/gateway.ts under
 * lambdas/vendors/: each built once), over the given secrets instead of Secrets Manager.
 */
function createVendorGateways(secrets: SecretsProvider) {
  return { cocalc: buildOnce(() => buildCocalcGateway(secrets)), interserver: buildOnce(() => buildInterserverGateway(secrets)) };
}

/** A loopback server standing in for both vendors that answers 500 to everything and counts it. */
async function startCountingServer(): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    req.resume();
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => count, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('vendor gateways', () => {
  let cocalc: CocalcSandbox;
  let interserver: InterserverSandbox;
  beforeAll(async () => {
    cocalc = await startCocalcSandbox({ throttle: false });
    interserver = await startInterserverSandbox();
  });
  afterAll(async () => {
    await interserver.close();
    await cocalc.close();
  });
  afterEach(() => vi.unstubAllEnvs());

  function stubEnv() {
    vi.stubEnv('COCALC_BASE_URL', cocalc.url);
    vi.stubEnv('COCALC_CHECKOUT_MODE', 'current');
    vi.stubEnv('COCALC_SECRET_ARN', 'cocalc-secret');
    vi.stubEnv('INTERSERVER_WSDL_URL', interserver.url);
    vi.stubEnv('INTERSERVER_ENDPOINT', interserver.endpoint);
    vi.stubEnv('INTERSERVER_PAYMENT_POLICY', 'leave-unpaid');
    vi.stubEnv('INTERSERVER_SECRET_ARN', 'interserver-secret');
  }

  it('builds each gateway from its config and secret once, and the gateways talk to the vendors', async () => {
    stubEnv();
    const secrets = new MemorySecrets({
      'cocalc-secret': { apiKey: COCALC_SANDBOX_DEFAULTS.apiKey },
      'interserver-secret': { username: SANDBOX_DEFAULTS.username, password: SANDBOX_DEFAULTS.password },
    });
    const gateways = createVendorGateways(secrets);

    const [a, b] = await Promise.all([gateways.cocalc(), gateways.cocalc()]);
    expect(a).toBe(b);
    expect(await a.verifyKey()).toEqual({ accountId: COCALC_SANDBOX_DEFAULTS.accountId, email: COCALC_SANDBOX_DEFAULTS.email });
    const is = await gateways.interserver();
    expect(await is.login()).toMatch(/^[0-9a-f]{32}$/);
    expect(await gateways.interserver()).toBe(is);
    expect(secrets.reads).toBe(2);
  });

  it('names the secret, never its value, when a credential is missing, and retries on the next call', async () => {
    stubEnv();
    const secrets = new MemorySecrets({ 'cocalc-secret': { apiKey: '' }, 'interserver-secret': { username: 'procure', password: '' } });
    const gateways = createVendorGateways(secrets);

    await expect(gateways.cocalc()).rejects.toThrow('secret cocalc-secret has no "apiKey" string');
    await expect(gateways.interserver()).rejects.toThrow(/secret interserver-secret needs non-empty "username" and "password"/);

    secrets.values['cocalc-secret'] = { apiKey: COCALC_SANDBOX_DEFAULTS.apiKey };
    await expect((await gateways.cocalc()).verifyKey()).resolves.toMatchObject({ accountId: COCALC_SANDBOX_DEFAULTS.accountId });
  });

  it('refuses a secret still holding its deploy-time placeholder before calling the vendor, naming the secret, the fields and the command', async () => {
    const vendor = await startCountingServer();
    try {
      stubEnv();
      vi.stubEnv('COCALC_BASE_URL', vendor.url);
      vi.stubEnv('INTERSERVER_WSDL_URL', `${vendor.url}/api.php?wsdl`);
      vi.stubEnv('INTERSERVER_ENDPOINT', `${vendor.url}/api.php`);
      const cocalcArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:SecretsCocalc680DADD4-AbCdEf';
      vi.stubEnv('COCALC_SECRET_ARN', cocalcArn);
      // One real-looking value next to a placeholder: named by field, the value never shown.
      const secrets = new MemorySecrets({
        [cocalcArn]: { ...VENDOR_SECRET_PLACEHOLDERS.cocalc },
        'interserver-secret': { username: 'ada-the-operator', password: SECRET_PLACEHOLDER },
      });
      const gateways = createVendorGateways(secrets);

      const cocalcError = await gateways.cocalc().then(
        () => undefined,
        (err: unknown) => err as SecretPlaceholderError,
      );
      expect(cocalcError).toBeInstanceOf(SecretPlaceholderError);
      expect(cocalcError).toBeInstanceOf(SecretUnavailableError);
      expect(cocalcError?.name).toBe('SecretPlaceholderError');
      expect(cocalcError?.message).toBe(
        `secret ${cocalcArn} still holds its placeholder in "apiKey"; store the credential with: ` +
          `aws secretsmanager put-secret-value --secret-id ${cocalcArn} --secret-string '{"apiKey":"<CoCalc API key>"}'`,
      );

      const interserverError = await gateways.interserver().then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(interserverError).toBeInstanceOf(SecretPlaceholderError);
      expect(interserverError?.message).toMatch(/^secret interserver-secret still holds its placeholder in "password"; /);
      expect(interserverError?.message).toContain(
        `aws secretsmanager put-secret-value --secret-id interserver-secret --secret-string '{"username":"<my.interserver.net login>","password":"<password or API key>"}'`,
      );
      expect(interserverError?.message).not.toContain('ada-the-operator');
      expect(interserverError?.message).not.toContain(SECRET_PLACEHOLDER);
      expect(vendor.requests()).toBe(0);
    } finally {
      await vendor.close();
    }
  });

  it('fails fast naming the variable when the vendor configuration is missing', async () => {
    const gateways = createVendorGateways(new MemorySecrets({}));
    vi.stubEnv('COCALC_BASE_URL', '');
    await expect(gateways.cocalc()).rejects.toThrow(/COCALC_BASE_URL/);
  });
});
