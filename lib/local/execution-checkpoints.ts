import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirPrivate, writeFilePrivate } from './private-files';

/**
 * Where each running execution stands, so a restart can go on from there instead of closing it:
 * on every top-level state entry the runtime writes the state's name and the input it entered with
 * to `<dataDir>/checkpoints/<hash of the execution ARN>.json` (write to a temporary file, then
 * rename: a kill -9 leaves the old checkpoint or the new one, never half of one), and removes the
 * file when the execution ends. One small file per running execution, so a burst does not rewrite
 * every execution record on every step.
 *
 * Not fsynced: a killed process loses nothing the kernel already has; a power cut may lose the last
 * step, and the execution then resumes one state earlier (states are re-entered only as a Retry
 * would re-enter them, so the workflow's functions must already be safe to run again).
 */
export interface ExecutionCheckpoint {
  executionArn: string;
  /** The top-level state the execution entered last. */
  state: string;
  /** JSON text: the input the state was entered with. */
  input: string;
  enteredAt: string;
}

/** An execution's files are named by a hash of its ARN (ARNs hold characters no file name may). */
export function arnFileStem(executionArn: string): string {
  return createHash('sha256').update(executionArn).digest('hex').slice(0, 32);
}

export interface CheckpointStore {
  write(checkpoint: ExecutionCheckpoint): void;
  remove(executionArn: string): void;
  /** Every readable checkpoint by execution ARN; unreadable files are reported through `onBad`. */
  loadAll(onBad?: (file: string, reason: string) => void): Map<string, ExecutionCheckpoint>;
}

export class FileCheckpointStore implements CheckpointStore {
  constructor(readonly dir: string) {}

  write(checkpoint: ExecutionCheckpoint): void {
    mkdirPrivate(this.dir);
    const file = this.fileOf(checkpoint.executionArn);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFilePrivate(tmp, JSON.stringify(checkpoint));
    renameSync(tmp, file);
  }

  remove(executionArn: string): void {
    rmSync(this.fileOf(executionArn), { force: true });
  }

  loadAll(onBad?: (file: string, reason: string) => void): Map<string, ExecutionCheckpoint> {
    const out = new Map<string, ExecutionCheckpoint>();
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return out;
    }
    for (const name of names) {
      const file = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(file, { force: true }); // a write cut off before its rename
        continue;
      }
      if (!name.endsWith('.json')) continue;
      try {
        const cp = JSON.parse(readFileSync(file, 'utf8')) as Partial<ExecutionCheckpoint>;
        if (typeof cp.executionArn !== 'string' || typeof cp.state !== 'string' || typeof cp.input !== 'string' || typeof cp.enteredAt !== 'string') {
          throw new Error('missing executionArn, state, input or enteredAt');
        }
        JSON.parse(cp.input);
        out.set(cp.executionArn, cp as ExecutionCheckpoint);
      } catch (err) {
        onBad?.(file, (err as Error).message);
      }
    }
    return out;
  }

  private fileOf(executionArn: string): string {
    return join(this.dir, `${arnFileStem(executionArn)}.json`);
  }
}
