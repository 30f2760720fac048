/** Drops the oldest entries of `list` (oldest first) beyond the latest `n`: the bound of the runtime's in-memory records. */
export function keepLatest<T>(list: T[], n: number): void {
  if (list.length > n) list.splice(0, list.length - n);
}
