import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/cli/args';
import { parseEventHold } from '../../lib/cli/local-options';

describe('procure local: PROCURE_LOCAL_EVENT_HOLD (a test fault)', () => {
  it('is unset, or a stage and a number of milliseconds', () => {
    expect(parseEventHold(undefined)).toBeUndefined();
    expect(parseEventHold('')).toBeUndefined();
    expect(parseEventHold('before-invoke:600000')).toEqual({ at: 'before-invoke', ms: 600_000 });
    expect(parseEventHold(' after-invoke:0 ')).toEqual({ at: 'after-invoke', ms: 0 });
    for (const bad of ['before-invoke', 'during:10', 'after-invoke:-1', 'before-invoke:1e3']) expect(() => parseEventHold(bad)).toThrow(UsageError);
  });
});
