import { describe, expect, it } from 'vitest';
import { approvalConfig, budgetConfig, ConfigError } from '../../lambdas/shared/config';
import { interserverConfig } from '../../lambdas/vendors/interserver/shared/config';

describe('handler configuration', () => {
  it('reads caps and the daily limit as numbers', () => {
    const c = budgetConfig({ MONTHLY_CAP_COCALC_USD: '500', MONTHLY_CAP_INTERSERVER_USD: '200.5', DAILY_PURCHASE_LIMIT: '10' });
    expect(c).toEqual({ capsUsd: { cocalc: 500, interserver: 200.5 }, dailyLimit: 10 });
  });

  it('fails fast naming the variable when a cap is not a number', () => {
    expect(() => budgetConfig({ MONTHLY_CAP_COCALC_USD: 'lots', MONTHLY_CAP_INTERSERVER_USD: '1', DAILY_PURCHASE_LIMIT: '1' })).toThrow(
      /MONTHLY_CAP_COCALC_USD/,
    );
  });

  it('splits approvers, trims the base URL and rejects a bad approver address', () => {
    const env = {
      APPROVER_EMAILS: 'a@example.com, b@example.com',
      SENDER_EMAIL: 'procure@example.com',
      APPROVAL_BASE_URL: 'http://127.0.0.1:3000/',
      APPROVAL_TIMEOUT_SECONDS: '60',
      SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:s',
    };
    expect(approvalConfig(env)).toMatchObject({ approvers: ['a@example.com', 'b@example.com'], baseUrl: 'http://127.0.0.1:3000' });
    expect(() => approvalConfig({ ...env, APPROVER_EMAILS: 'not-an-address' })).toThrow(ConfigError);
  });

  it('derives the SOAP endpoint from the WSDL URL when none is set', () => {
    const c = interserverConfig({
      INTERSERVER_WSDL_URL: 'https://my.interserver.net/api.php?wsdl',
      INTERSERVER_PAYMENT_POLICY: 'leave-unpaid',
      INTERSERVER_SECRET_ARN: 'arn:x',
    });
    expect(c.endpoint).toBe('https://my.interserver.net/api.php');
  });
});
