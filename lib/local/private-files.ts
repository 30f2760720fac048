import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local runtime's data folder is private to its user: the folder and every folder in it 0700,
 * every file 0600, whatever the umask. Files the runtime writes itself get their mode explicitly;
 * what libraries write (dynalite's LevelDB files) is covered by a 077 umask held while a runtime
 * runs (`holdPrivateUmask`), and anything older is tightened at start (`ensurePrivateDir`).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (0700) or tightens it and everything under it; returns the paths it had to tighten. */
export function ensurePrivateDir(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const tightened: string[] = [];
  const walk = (path: string): void => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return; // chmod would follow it out of the folder
    if ((st.mode & 0o077) !== 0) {
      // Group and others lose everything; the owner keeps its bits (a folder stays searchable).
      chmodSync(path, st.isDirectory() ? PRIVATE_DIR_MODE : (st.mode & 0o700) | PRIVATE_FILE_MODE);
      tightened.push(path);
    }
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return tightened;
}

/** A folder inside the data folder: created 0700 (a loose existing one is tightened). */
export function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const st = lstatSync(dir);
  if (st.isDirectory() && (st.mode & 0o077) !== 0) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** writeFileSync with mode 0600, also when the file existed with a looser mode. */
export function writeFilePrivate(file: string, data: string | Uint8Array): void {
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE });
  if ((lstatSync(file).mode & 0o077) !== 0) chmodSync(file, PRIVATE_FILE_MODE);
}

/** {@link writeFilePrivate}, then fsync'd: on disk when it returns. */
export function writeFilePrivateSynced(file: string, data: string | Uint8Array): void {
  writeFilePrivate(file, data);
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

let held = 0;
let saved: number | undefined;

/**
 * Holds the process umask at (at least) 077 until the returned release is called: LevelDB creates
 * its files with the process umask. Nested holders share it; the last release restores the umask.
 */
export function holdPrivateUmask(): () => void {
  if (held++ === 0) {
    try {
      saved = process.umask(process.umask() | 0o077);
    } catch {
      saved = undefined; // a worker thread cannot set the umask; the start-up tightening still applies
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--held === 0 && saved !== undefined) {
      process.umask(saved);
      saved = undefined;
    }
  };
}
