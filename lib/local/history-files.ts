import { appendFileSync, closeSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { arnFileStem } from './execution-checkpoints';
import type { StepEvent } from './execution-engine-events';
import { parseJsonLines } from './json-lines';
import { mkdirPrivate, PRIVATE_FILE_MODE } from './private-files';

/** Where the step histories of a runtime with a data folder are kept (HistoryFiles). */
export interface HistoryStore {
  append(step: StepEvent): void;
  /** The steps of one execution, in the order they happened (none when it has no file). */
  read(executionArn: string): StepEvent[];
  remove(executionArn: string): void;
  /** Removes the history of every execution but these (those executions.json still lists). */
  keepOnly(executionArns: Iterable<string>): void;
}

/**
 * Each execution's step history on disk, so memory keeps none and it outlives a restart (`procure
 * graph --purchase` of any purchase executions.json still lists, GetExecutionHistory): one JSON
 * line a step (about 250 bytes; no inputs or outputs) appended to
 * `<dataDir>/histories/<hash of the execution ARN>.jsonl`, removed with the execution's record. An
 * execution that goes on after a restart appends to the steps it had. A line torn by a crash
 * mid-append is skipped.
 */
export class HistoryFiles implements HistoryStore {
  private made = false;
  /**
   * Files this process has appended to whole (each ends with a newline), so their next step needs
   * no look at the file's end. A file leaves it when it is removed: the set stays as small as the
   * histories kept, and a fresh execution's first step looks at a file that is no longer there.
   */
  private readonly whole = new Set<string>();

  constructor(readonly dir: string) {}

  append(step: StepEvent): void {
    if (!this.made) mkdirPrivate(this.dir);
    this.made = true;
    const file = this.fileOf(step.executionArn);
    // A line torn by a crash (or a failed append) gets its end first, so this step is not glued to it.
    const mend = this.whole.has(file) || endsWhole(file) ? '' : '\n';
    this.whole.delete(file);
    appendFileSync(file, `${mend}${JSON.stringify(step)}\n`, { mode: PRIVATE_FILE_MODE });
    this.whole.add(file);
  }

  read(executionArn: string): StepEvent[] {
    let text: string;
    try {
      text = readFileSync(this.fileOf(executionArn), 'utf8');
    } catch {
      return [];
    }
    return parseJsonLines<StepEvent>(text);
  }

  remove(executionArn: string): void {
    const file = this.fileOf(executionArn);
    rmSync(file, { force: true });
    this.whole.delete(file);
  }

  keepOnly(executionArns: Iterable<string>): void {
    const kept = new Set([...executionArns].map((arn) => `${arnFileStem(arn)}.jsonl`));
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) if (name.endsWith('.jsonl') && !kept.has(name)) rmSync(join(this.dir, name), { force: true });
  }

  private fileOf(executionArn: string): string {
    return join(this.dir, `${arnFileStem(executionArn)}.jsonl`);
  }
}

/** Whether a file is absent, empty or ends with a newline (its last line whole). */
function endsWhole(file: string): boolean {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return true;
  }
  if (size === 0) return true;
  const fd = openSync(file, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}
