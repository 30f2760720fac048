/**
 * The values of a JSON-lines file's text (one JSON value a line, each ended by a newline), in
 * order. Empty lines are skipped, and so is a line that does not parse: the local runtime appends
 * these files, and a crash mid-append leaves a torn line whose change never completed.
 */
export function parseJsonLines<T>(text: string): T[] {
  const values: T[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch {
      // torn by a crash mid-append
    }
  }
  return values;
}
