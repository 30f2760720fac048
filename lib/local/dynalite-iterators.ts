/**
 * dynalite 4.0.0 reads each Query and Scan through a stream over a LevelDB iterator and never
 * closes that iterator: the stream's destroy calls `iterator.return`, which abstract-level's
 * iterators do not have. So every Query and Scan left an open iterator, holding the entries it had
 * read ahead, in the database's open resources for as long as the runtime ran. A heap snapshot of
 * the growth bench found 3 a purchase, and 2.7 MB of read-ahead items after 500 purchases (issue
 * #11, bullet 3), besides the native LevelDB iterators they pin. This closes the iterators a Query
 * or Scan opened once it has its answer: dynalite has read every row it needs by then.
 */

interface LevelIterator {
  close(): Promise<void>;
}

/** The level database dynalite keeps as `store.db`: its `keys` and `values` open the iterators its streams read. */
interface LevelDb {
  keys(...args: unknown[]): LevelIterator;
  values(...args: unknown[]): LevelIterator;
  [TRACKED]?: true;
}

/** dynalite's `db` module (`require('dynalite/db')`): its actions call `queryTable` through it. */
export interface DynaliteDbModule {
  queryTable: (store: { db: LevelDb }, ...rest: unknown[]) => unknown;
  [PATCHED]?: true;
}

const TRACKED = Symbol('local.trackedIterators');
const PATCHED = Symbol('local.closesQueryIterators');

/** The iterators opened while a Query or Scan sets up its read (dynalite opens them synchronously there). */
let opening: LevelIterator[] | undefined;

/** Makes `db.keys` and `db.values` report each iterator they open while a Query or Scan starts. */
function track(db: LevelDb): void {
  if (db[TRACKED]) return;
  for (const method of ['keys', 'values'] as const) {
    const open = db[method];
    db[method] = function (this: LevelDb, ...args: unknown[]) {
      const iterator = open.apply(this, args);
      opening?.push(iterator);
      return iterator;
    };
  }
  db[TRACKED] = true;
}

/** Wraps `queryTable` (once per module) so the iterators it opens are closed when it answers. */
export function closeQueryIterators(dbModule: DynaliteDbModule): void {
  if (dbModule[PATCHED]) return;
  const queryTable = dbModule.queryTable;
  dbModule.queryTable = function (this: unknown, store, ...rest) {
    track(store.db);
    const answer = rest.pop() as (...results: unknown[]) => void;
    const opened: LevelIterator[] = [];
    opening = opened;
    try {
      return queryTable.call(this, store, ...rest, (...results: unknown[]) => {
        // A read still in flight finishes first (abstract-level delays the close); a failed close changes nothing.
        for (const iterator of opened.splice(0)) iterator.close().catch(() => undefined);
        answer(...results);
      });
    } finally {
      opening = undefined;
    }
  };
  dbModule[PATCHED] = true;
}
