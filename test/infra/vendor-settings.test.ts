import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { VENDORS } from '../../lambdas/core/vendor-names';
import { ENV } from '../../lambdas/shared/env-names';
import { cocalcSettings } from '../../lambdas/vendors/cocalc/settings';
import { interserverSettings } from '../../lambdas/vendors/interserver/settings';
import { DEFAULT_PROCURE_CONFIG } from '../../lib/config-defaults';
import { readProcureConfig } from '../../lib/read-config';
import { resolveProcureConfig } from '../../lib/resolve-config';
import { VENDOR_STACKS } from '../../lib/vendor-stacks';
import { REQUIRED_SETTING_OUTPUTS, settingOutputs, settingsClashWith, settingsEnvironment, settingsFromOutputs, sharedNames } from '../../lib/vendor-settings';
import { COCALC_ENV } from '../../lambdas/vendors/cocalc/shared/env-names';
import { INTERSERVER_ENV } from '../../lambdas/vendors/interserver/shared/env-names';

/**
 * The vendors' configuration settings (issue #10): each vendor declares its own in its folder
 * (lambdas/vendors/<vendor>/settings.ts), and the configuration's keys, defaults and checks, its
 * callers' variables and the stack outputs `procure doctor` reads back derive from them.
 */
const contextOf = (context: Record<string, unknown>): App['node'] => new App({ outdir: mkdtempSync(join(tmpdir(), 'procure-settings-')), context }).node;

describe("the vendors' settings", () => {
  it('are configuration keys with their declared defaults; one without a default is absent until set', () => {
    for (const settings of [cocalcSettings, interserverSettings]) {
      for (const [key, setting] of Object.entries(settings)) {
        const value = (DEFAULT_PROCURE_CONFIG as unknown as Record<string, unknown>)[key];
        if ('default' in setting) expect({ key, value }).toEqual({ key, value: setting.default });
        else expect(DEFAULT_PROCURE_CONFIG).not.toHaveProperty(key);
      }
    }
    expect(readProcureConfig(contextOf({ 'procure:interserverEndpoint': 'https://soap.acme.test/api.php' }))).toMatchObject({
      interserverEndpoint: 'https://soap.acme.test/api.php',
    });
  });

  it('are checked by their own schema, naming the key', () => {
    expect(() => resolveProcureConfig({ interserverEndpoint: 'ftp://soap.acme.test' })).toThrow(/interserverEndpoint: must be an http\(s\) URL/);
    expect(() => resolveProcureConfig({ cocalcCheckoutMode: 'sometimes' })).toThrow(/cocalcCheckoutMode/);
  });

  it("become the variables of the vendor's own callers only, a setting not set setting none", () => {
    const config = resolveProcureConfig({ cocalcBaseUrl: 'https://cocalc.acme.test/api/v2' });
    expect(settingsEnvironment('cocalc', config)).toEqual({ [COCALC_ENV.BASE_URL]: 'https://cocalc.acme.test/api/v2', [COCALC_ENV.CHECKOUT_MODE]: 'current' });
    expect(settingsEnvironment('interserver', config)).toEqual({
      [INTERSERVER_ENV.WSDL_URL]: 'https://my.interserver.net/api.php?wsdl',
      [INTERSERVER_ENV.PAYMENT_POLICY]: 'leave-unpaid',
    });
    const withEndpoint = resolveProcureConfig({ interserverEndpoint: 'https://soap.acme.test/api.php' });
    expect(settingsEnvironment('interserver', withEndpoint)).toMatchObject({ [INTERSERVER_ENV.ENDPOINT]: 'https://soap.acme.test/api.php' });
    // Every vendor of the registry has its part, and its callers are where the stack puts them.
    expect(VENDOR_STACKS.map((v) => v.vendor)).toEqual(VENDORS);
  });

  it('show as stack outputs that procure doctor reads back, the optional one only when set', () => {
    const config = resolveProcureConfig({});
    expect(settingOutputs(config)).toEqual({ CocalcBaseUrl: 'https://cocalc.com/api/v2', InterserverWsdlUrl: 'https://my.interserver.net/api.php?wsdl' });
    expect(REQUIRED_SETTING_OUTPUTS).toEqual(['CocalcBaseUrl', 'InterserverWsdlUrl']);
    const set = settingOutputs(resolveProcureConfig({ interserverEndpoint: 'https://soap.acme.test/api.php' }));
    expect(settingsFromOutputs(set)).toEqual({
      cocalcBaseUrl: 'https://cocalc.com/api/v2',
      interserverWsdlUrl: 'https://my.interserver.net/api.php?wsdl',
      interserverEndpoint: 'https://soap.acme.test/api.php',
    });
  });

  it("refuses a key, a variable or an output two settings share (one would take the other's value)", () => {
    const url = (variable: string, output?: string) => ({ variable, ...(output ? { output: { name: output, description: '' } } : {}) });
    expect(
      sharedNames([
        { vendor: 'cocalc', key: 'baseUrl', setting: url('A', 'AOut') },
        { vendor: 'interserver', key: 'wsdlUrl', setting: url('B', 'BOut') },
      ]),
    ).toEqual([]);
    expect(
      sharedNames([
        { vendor: 'cocalc', key: 'baseUrl', setting: url('A', 'Out') },
        { vendor: 'interserver', key: 'baseUrl', setting: url('A', 'Out') },
      ]),
    ).toEqual([
      "vendor setting key baseUrl is declared by cocalc's baseUrl and interserver's baseUrl",
      "vendor setting variable A is declared by cocalc's baseUrl and interserver's baseUrl",
      "vendor setting output Out is declared by cocalc's baseUrl and interserver's baseUrl",
    ]);
  });

  it("refuses a setting named like one of procure's own keys or outputs", () => {
    expect(settingsClashWith(['senderEmail', 'eventBusName'], 'key')).toEqual([]);
    expect(settingsClashWith(['senderEmail', 'cocalcBaseUrl'], 'key')).toEqual(["vendor setting key cocalcBaseUrl is one of procure's own"]);
    expect(settingsClashWith(['ApiUrl', 'InterserverWsdlUrl'], 'output')).toEqual(["vendor setting output InterserverWsdlUrl is one of procure's own"]);
  });

  it("refuses a setting whose variable is one of procure's own, and procure's own list holds no vendor's variable", () => {
    expect(settingsClashWith([ENV.SENDER_EMAIL, COCALC_ENV.BASE_URL], 'variable')).toEqual(["vendor setting variable COCALC_BASE_URL is one of procure's own"]);
  });
});

describe("a vendor setting named like one of procure's variables, at load", () => {
  afterEach(() => {
    vi.doUnmock('#vendors/settings');
    vi.resetModules();
  });

  it('refuses to load the settings at all, naming the variable', async () => {
    vi.resetModules();
    vi.doMock('#vendors/settings', () => ({
      REGISTERED_SETTINGS: { cocalc: { cocalcBaseUrl: { schema: z.string(), default: 'x', variable: ENV.SENDER_EMAIL } }, interserver: {} },
    }));
    await expect(import('../../lib/vendor-settings.js')).rejects.toThrow("vendor setting variable SENDER_EMAIL is one of procure's own");
  });
});
