import { describe, expect, it } from 'vitest';
import { AWS_LIST_PRICES, billedMs, costOf, requestUnits } from '../../bench/aws-prices';

describe('requestUnits', () => {
  it('counts one unit per item read or written, and none for other operations', () => {
    const units = requestUnits([
      { operation: 'GetItem', items: 1 },
      { operation: 'Query', items: 1 },
      { operation: 'PutItem', items: 1 },
      { operation: 'BatchWriteItem', items: 3 },
      { operation: 'DescribeTable', items: 1 },
    ]);
    expect(units).toEqual({ read: 2, write: 4 });
  });

  it('counts two units per item of a transaction', () => {
    expect(requestUnits([{ operation: 'TransactWriteItems', items: 2 }])).toEqual({ read: 0, write: 4 });
  });
});

describe('billedMs', () => {
  it('rounds a duration up to the next millisecond, at least one', () => {
    expect(billedMs(12.01)).toBe(13);
    expect(billedMs(12)).toBe(12);
    expect(billedMs(0.2)).toBe(1);
  });
});

describe('costOf', () => {
  it('adds Step Functions, Lambda requests and GB-seconds, and DynamoDB units at list prices', () => {
    const cost = costOf({
      transitions: 12,
      invocations: [
        { memoryMb: 1024, durationMs: 99.5 },
        { memoryMb: 512, durationMs: 200 },
      ],
      readUnits: 8,
      writeUnits: 16,
    });
    expect(cost.stepFunctions).toBeCloseTo(0.0003, 12);
    expect(cost.lambdaRequests).toBeCloseTo(0.0000004, 12);
    // 1 GB x 0.1 s + 0.5 GB x 0.2 s = 0.2 GB-s
    expect(cost.lambdaDuration).toBeCloseTo(0.2 * 0.0000133334, 12);
    expect(cost.dynamo).toBeCloseTo(16 * 0.000000625 + 8 * 0.000000125, 12);
    expect(cost.total).toBeCloseTo(cost.stepFunctions + cost.lambdaRequests + cost.lambdaDuration + cost.dynamo, 15);
  });

  it("makes the issue's ceiling of $0.0003 exactly 12 transitions with nothing else", () => {
    expect(costOf({ transitions: 12, invocations: [], readUnits: 0, writeUnits: 0 }).total).toBeCloseTo(12 * AWS_LIST_PRICES.stepFunctionsTransition, 15);
  });
});
