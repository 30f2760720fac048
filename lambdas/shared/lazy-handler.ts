/**
 * `export const handler = lazyHandler(() => makeHandler(defaultDeps()))`: the dependencies are
 * built once per cold start, on the first invocation rather than at import, so tests (and the
 * local runtime) can import a handler module for its `makeHandler` without the production
 * environment. A configuration error still fails the very first invocation, loudly; a failed
 * build is not cached, so the next invocation tries again.
 */
export function lazyHandler<A extends unknown[], R>(build: () => (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let built: ((...args: A) => Promise<R>) | undefined;
  return (...args: A) => {
    built ??= build();
    return built(...args);
  };
}
