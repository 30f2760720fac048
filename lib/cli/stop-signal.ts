/**
 * How `procure local` hears it should stop (local.ts): the first SIGINT or SIGTERM starts a graceful
 * stop, a later one (an impatient Ctrl+C) exits at once.
 */

/**
 * The first SIGINT/SIGTERM, and a hook for a later one (an impatient Ctrl+C). A signal within a
 * second of the first is taken as the same one delivered twice (a terminal signals the whole
 * process group, and npm and tsx relay it too), not as impatience.
 */
export function stopSignal(): { received: Promise<NodeJS.Signals>; onSecond(fn: () => void): void } {
  let second: (() => void) | undefined;
  let firstAt: number | undefined;
  let resolveFirst!: (s: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((r) => (resolveFirst = r));
  const handler = (signal: NodeJS.Signals): void => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      resolveFirst(signal);
    } else if (Date.now() - firstAt > 1000) {
      second?.();
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return { received, onSecond: (fn) => (second = fn) };
}
