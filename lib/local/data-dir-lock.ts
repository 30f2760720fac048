import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive } from './pid-alive';

/**
 * One runtime per data folder: the DynamoDB files, secrets and execution records are not shared.
 * A second runtime on the same folder fails at once with the owner's pid; a lock left by a dead
 * process is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'runtime.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const alive = Number.isInteger(owner) && owner > 0 && pidAlive(owner);
    if (alive) throw new Error(`another local runtime (pid ${owner}) is using ${dataDir}; stop it or use another data folder`);
    rmSync(file, { force: true });
  }
  throw new Error(`could not lock ${dataDir}`);
}
