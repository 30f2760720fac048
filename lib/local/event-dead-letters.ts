import { appendFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toJsonText } from './deep-json';
import { mkdirPrivate, writeFilePrivate } from './private-files';
import { parseJsonLines } from './json-lines';
import { keepLatest } from './keep-latest';

/**
 * Where the local EventBridge puts what it gave up on, as the template's dead-letter queue /
 * on-failure destination would hold it: every rule-target delivery that failed after the retries
 * of the target function's async invoke config, with the event itself, so an acknowledged event is
 * never just gone. `<dataDir>/events/dead-letters.jsonl` (0600, one JSON object a line); in memory
 * only for in-memory runtimes. Keeps the newest {@link MAX_DEAD_LETTERS}.
 */
export interface DeliveryFailure {
  eventId: string;
  /** The rule's name. */
  rule: string;
  /** The target's id within the rule. */
  target: string;
  /** `<error name>: <message>` of the last attempt. */
  error: string;
}

export interface DeadLetter extends DeliveryFailure {
  /** ISO time it was dead-lettered. */
  at: string;
  /** The ARN of the on-failure destination or DLQ the template names, when it names one. */
  destination?: string;
  /** The event envelope. */
  event?: Record<string, unknown>;
}

export const MAX_DEAD_LETTERS = 1000;

export class DeadLetterStore {
  /** Dead letters of earlier runs (from the file) and this one, oldest first. */
  readonly letters: DeadLetter[] = [];
  /** Lines in the file now. */
  private lines = 0;

  constructor(private readonly file?: string) {
    if (!file) return;
    mkdirPrivate(dirname(file));
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const lines = text.split('\n').filter(Boolean);
    // A line cut off by a kill is skipped: nothing was acknowledged on the strength of it.
    this.letters.push(...parseJsonLines<DeadLetter>(text));
    this.lines = lines.length;
    if (this.letters.length > MAX_DEAD_LETTERS || this.letters.length !== lines.length || (text && !text.endsWith('\n'))) this.rewrite();
  }

  add(letter: DeadLetter): void {
    this.letters.push(letter);
    if (!this.file) {
      keepLatest(this.letters, MAX_DEAD_LETTERS);
      return;
    }
    appendFileSync(this.file, `${toJsonText(letter)}\n`, { mode: 0o600 });
    this.lines += 1;
    if (this.lines > 2 * MAX_DEAD_LETTERS) this.rewrite();
  }

  /** Keeps the newest MAX_DEAD_LETTERS, in memory and in the file. */
  private rewrite(): void {
    keepLatest(this.letters, MAX_DEAD_LETTERS);
    writeFilePrivate(this.file!, this.letters.map((l) => `${toJsonText(l)}\n`).join(''));
    this.lines = this.letters.length;
  }
}
