import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { COCALC_SANDBOX_DEFAULTS, startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver';
import type { SecretsProvider } from '../../lambdas/core/ports';
import { SecretUnavailableError } from '../../lambdas/shared/secrets';
import { createVendorGateways } from '../../lambdas/shared/vendor-gateways';

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

  it('fails fast naming the variable when the vendor configuration is missing', async () => {
    const gateways = createVendorGateways(new MemorySecrets({}));
    vi.stubEnv('COCALC_BASE_URL', '');
    await expect(gateways.cocalc()).rejects.toThrow(/COCALC_BASE_URL/);
  });
});
