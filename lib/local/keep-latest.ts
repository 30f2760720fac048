/**
 * How many of the latest emitted events, mails and finished executions' step histories a local
 * runtime keeps in memory unless told otherwise (`keptInMemory`): each mail stays on disk as its
 * .eml and each event in the event journal, so a long `npm start` stops growing its heap by about
 * its 100th purchase (issue #11: flat over 1,000 purchases).
 */
export const KEPT_IN_MEMORY = 100;

/** Drops the oldest entries of `list` (oldest first) beyond the latest `n`: the bound of the runtime's in-memory records. */
export function keepLatest<T>(list: T[], n: number): void {
  if (list.length > n) list.splice(0, list.length - n);
}
