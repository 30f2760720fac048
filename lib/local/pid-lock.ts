import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { pidAlive } from './pid-alive';

/** A positive integer, i.e. something a lock file's owner can be. */
export function isPid(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}

/**
 * Tries once to take a pid lock file: creates `file` exclusively with this process's pid, or reports
 * the pid found in it. A lock whose owner is a pid that no longer runs is removed and taken over; a
 * lock released between the two steps is tried again; an unreadable lock file throws rather than
 * spin. `owner` is NaN (or 0) when the file holds no pid, e.g. while its owner is still writing it.
 */
export function tryTakePidLock(file: string): { release: () => void } | { owner: number } {
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: number;
    try {
      owner = Number(readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    if (isPid(owner) && !pidAlive(owner)) {
      rmSync(file, { force: true });
      continue;
    }
    return { owner };
  }
}
