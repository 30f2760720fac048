/** One InterServer IP and license type: the vendor allows one live license per pair (§5). */
export function interserverLicenseLock(ip: string, typeId: number): string {
  return `interserver-license#${ip}#${typeId}`;
}

/**
 * How long BuyLicense keeps the IP+type lock past its invocation after a buy of unknown outcome:
 * longer than the state machine's wait before BuyLicense runs again (BUY_SETTLE in
 * ../stack.ts), the waits of that run's throttled Invokes (THROTTLED_BUY)
 * and its start; test/infra/state-machine.test.ts checks it. A purchase whose execution died in
 * between frees the lock by then.
 */
export const BUY_RECHECK_HOLD_MS = 30_000;
