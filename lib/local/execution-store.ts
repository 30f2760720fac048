import { readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { mkdirPrivate, writeFilePrivate } from './private-files';

/**
 * Every execution's summary is kept in `<dataDir>/executions.json` (rewritten atomically on each
 * status change). On the next start, records still RUNNING are the executions that were cut off:
 * they go on from the state they entered last (execution-checkpoints.ts), or, when the template no
 * longer has that state, are closed as interrupted (interrupted.ts). The finished ones keep their
 * names taken, as AWS keeps execution names for 90 days.
 */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** JSON text, as StartExecution received it. */
  input: string;
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ExecutionStore {
  load(): ExecutionRecord[];
  save(records: ExecutionRecord[]): void;
}

/** Keeps this many records (newest first by start date); older finished ones are dropped. */
const MAX_RECORDS = 2000;

export class FileExecutionStore implements ExecutionStore {
  constructor(readonly file: string) {}

  load(): ExecutionRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as { executions?: ExecutionRecord[] };
      return Array.isArray(parsed.executions) ? parsed.executions : [];
    } catch {
      throw new Error(`${this.file} is not valid JSON: fix or delete it`);
    }
  }

  save(records: ExecutionRecord[]): void {
    const keep = records.length > MAX_RECORDS ? [...records].sort((a, b) => (a.startDate < b.startDate ? 1 : -1)).slice(0, MAX_RECORDS) : records;
    mkdirPrivate(dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFilePrivate(tmp, JSON.stringify({ version: 1, executions: keep }, null, 1));
    renameSync(tmp, this.file);
  }
}
