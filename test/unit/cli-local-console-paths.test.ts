import { describe, expect, it } from 'vitest';
import { shownPath } from '../../lib/cli/local-console';

/** What `procure local` prints for its files: relative to where it was started when inside it, so its output (and the README's copy of it) is the same on every machine. */
describe('the paths procure local prints', () => {
  it('are relative to the folder it was started in when they lie inside it', () => {
    expect(shownPath('/home/ada/procure/.procure/outbox', '/home/ada/procure')).toBe('.procure/outbox');
    expect(shownPath('/home/ada/procure/.procure/outbox/2026-12-07T11-52-36-330Z-d3b983d1f3b.eml', '/home/ada/procure')).toBe(
      '.procure/outbox/2026-12-07T11-52-36-330Z-d3b983d1f3b.eml',
    );
  });

  it('stay whole outside it (a --data-dir elsewhere), and for the folder itself', () => {
    expect(shownPath('/var/lib/procure/outbox', '/home/ada/procure')).toBe('/var/lib/procure/outbox');
    expect(shownPath('/home/ada/procure-other/.procure', '/home/ada/procure')).toBe('/home/ada/procure-other/.procure');
    expect(shownPath('/home/ada/procure', '/home/ada/procure')).toBe('/home/ada/procure');
  });
});
