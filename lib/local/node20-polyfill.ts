/**
 * Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 calls in every Task state
 * (shared/notes/local-aws-runtime.md §1.7). Import this before the engine.
 */
type Resolvers<T> = { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };
const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (!P.withResolvers) {
  P.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise, resolve, reject };
  };
}
export {};
