import { describe, expect, it } from 'vitest';
import { sandboxCredentials, secretRoles } from '../../lib/local/procure/vendor-secrets';

/** The local runtime's vendor secrets and the credentials its sandboxes are started with (lib/local/procure/vendor-secrets.ts). */
describe('local vendor secrets', () => {
  it("gives each vendor's secret its profile's fields, each a fresh random token, and the signing key its own role", () => {
    const roles = secretRoles();
    expect(Object.keys(roles).sort()).toEqual(['COCALC_SECRET_ARN', 'INTERSERVER_SECRET_ARN', 'SIGNING_SECRET_ARN']);
    const cocalc = JSON.parse(roles.COCALC_SECRET_ARN!()) as Record<string, string>;
    const interserver = JSON.parse(roles.INTERSERVER_SECRET_ARN!()) as Record<string, string>;
    expect(Object.keys(cocalc)).toEqual(['apiKey']);
    expect(Object.keys(interserver)).toEqual(['username', 'password']);
    expect(interserver.password).toMatch(/^local-[A-Za-z0-9_-]{16}$/);
    expect(interserver.username).not.toBe(interserver.password);
    expect(JSON.parse(roles.COCALC_SECRET_ARN!()).apiKey).not.toBe(cocalc.apiKey);
  });

  it('starts a sandbox with the credentials of a secret whose every field is set, and with none for a partial one', () => {
    const secrets: Record<string, Record<string, string | undefined>> = {
      COCALC_SECRET_ARN: { apiKey: 'k-1' },
      INTERSERVER_SECRET_ARN: { username: 'u', password: '' },
    };
    expect(sandboxCredentials((env) => secrets[env] ?? {})).toEqual({ cocalc: { apiKey: 'k-1' } });
    secrets.INTERSERVER_SECRET_ARN = { username: 'u', password: 'p', extra: 'x' };
    expect(sandboxCredentials((env) => secrets[env] ?? {})).toEqual({ cocalc: { apiKey: 'k-1' }, interserver: { username: 'u', password: 'p' } });
    expect(sandboxCredentials(() => ({}))).toEqual({});
  });
});
