/**
 * `build` run on the first call and its result reused by every later call, concurrent ones
 * included; a failed build is forgotten, so the next call tries again (a missing secret or an
 * unreachable WSDL must not stick for the life of a warm process).
 */
export function buildOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
