import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/cli/args';
import { LAMBDA_ACCOUNT_CONCURRENCY_ENV, parseDrainSeconds, parseLambdaConcurrency } from '../../lib/cli/local-options';

describe('procure local options', () => {
  it('--drain-seconds defaults to 30 and takes any number of seconds >= 0', () => {
    expect(parseDrainSeconds(undefined)).toBe(30);
    expect(parseDrainSeconds('0')).toBe(0);
    expect(parseDrainSeconds('2.5')).toBe(2.5);
    for (const bad of ['', '-1', 'soon', 'Infinity']) expect(() => parseDrainSeconds(bad)).toThrow(UsageError);
  });

  it('PROCURE_LOCAL_LAMBDA_CONCURRENCY is unset (the runtime default) or a positive integer', () => {
    expect(parseLambdaConcurrency(undefined)).toBeUndefined();
    expect(parseLambdaConcurrency('')).toBeUndefined();
    expect(parseLambdaConcurrency('3')).toBe(3);
    for (const bad of ['0', '-2', '1.5', 'many'])
      expect(() => parseLambdaConcurrency(bad)).toThrow(/PROCURE_LOCAL_LAMBDA_CONCURRENCY must be a positive integer/);
    expect(parseLambdaConcurrency('10', LAMBDA_ACCOUNT_CONCURRENCY_ENV)).toBe(10);
    expect(() => parseLambdaConcurrency('0', LAMBDA_ACCOUNT_CONCURRENCY_ENV)).toThrow(/PROCURE_LOCAL_LAMBDA_ACCOUNT_CONCURRENCY must be a positive integer/);
  });
});
