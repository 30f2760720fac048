import { describe, expect, it } from 'vitest';
import { runProcess } from '../support/cli';

/**
 * `npm run demo`, exactly as the README tells a user to run it: both vendors, both entry points,
 * approvals through the links, licenses listed, audit trails printed, exit 0.
 */
describe('npm run demo', () => {
  it('buys a CoCalc license (EventBridge) and an InterServer license (signed POST /purchases), lists both and exits 0', async () => {
    // Generous: the runtime synthesizes cdk.out first when a source is newer than it.
    const r = await runProcess('npm', ['run', 'demo'], { timeoutMs: 280_000 });
    expect(r.stderr).not.toMatch(/demo failed/);
    expect(r.code).toBe(0);
    const out = r.stdout;

    const cocalc = /^CoCalc\s+EventBridge event\s+(pur-[0-9a-f]{32})\s+COMPLETED\s+([0-9a-f-]{36})\s+\$\d+\.\d\d$/m.exec(out);
    const interserver = /^InterServer\s+POST \/purchases \(SigV4\)\s+(pur-[0-9a-f]{32})\s+COMPLETED\s+(\d+)\s+\$\d+\.\d\d$/m.exec(out);
    expect(cocalc, out).not.toBeNull();
    expect(interserver, out).not.toBeNull();
    expect(cocalc![1]).not.toBe(interserver![1]);

    // The GET /licenses table lists both licenses...
    expect(out).toMatch(new RegExp(`^cocalc\\s+${cocalc![2]}\\s+CoCalc site license\\s+active`, 'm'));
    expect(out).toMatch(new RegExp(`^interserver\\s+${interserver![2]}\\s+\\S`, 'm'));
    // ...each purchase went through its approval page and ended with a complete audit trail.
    expect(out.match(/page: Purchase approved: approver@example\.com approved this purchase/g)).toHaveLength(2);
    for (const id of [cocalc![1], interserver![1]]) {
      const trail = out.slice(out.indexOf(`purchase ${id} (`));
      expect(trail).toMatch(/APPROVAL_DECIDED\s+APPROVED\s+approver@example\.com/);
      expect(trail).toMatch(/COMPLETED\s+COMPLETED\s+system/);
    }
    expect(out).toMatch(/Demo complete in [\d.]+ s: both purchases approved, bought, verified and audited\./);
  }, 300_000);
});
