import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isPid, tryTakePidLock } from './pid-lock';

/**
 * One runtime per data folder: the DynamoDB files, secrets and execution records are not shared.
 * A second runtime on the same folder fails at once with the owner's pid; a lock left by a dead
 * process (or holding no pid) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'runtime.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    const lock = tryTakePidLock(file);
    if ('release' in lock) return lock.release;
    if (isPid(lock.owner)) throw new Error(`another local runtime (pid ${lock.owner}) is using ${dataDir}; stop it or use another data folder`);
    rmSync(file, { force: true });
  }
  throw new Error(`could not lock ${dataDir}`);
}
