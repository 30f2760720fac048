import type { EventEmitter } from 'node:events';
import type { ExecutionRecord } from './execution-store';

/**
 * Waiting for an execution to finish (ExecutionManager.wait): on the manager's `change` events, with
 * a timeout, and ended at once by its `closed` event so that no caller hangs and no timer keeps the
 * process alive after close().
 */
export function waitUntilFinished(
  changes: EventEmitter,
  find: (ref: string) => ExecutionRecord | undefined,
  closing: boolean,
  ref: string,
  timeoutMs: number,
): Promise<ExecutionRecord> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const r = find(ref);
      if (r && r.status !== 'RUNNING') {
        cleanup();
        resolve({ ...r });
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      cleanup();
      const r = find(ref);
      reject(new Error(r ? `execution ${ref} still ${r.status} after ${timeoutMs} ms` : `no execution ${ref} within ${timeoutMs} ms`));
    }, timeoutMs);
    // close() ends every wait at once: no caller hangs, and no timer keeps the process alive.
    const closed = (): void => {
      cleanup();
      reject(new Error(`the local runtime closed while waiting for execution ${ref}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      changes.off('change', check);
      changes.off('closed', closed);
    };
    if (check()) return;
    if (closing) return closed();
    changes.on('change', check);
    changes.on('closed', closed);
  });
}
