import { escapeControls } from '../../lambdas/core/safe-text';
import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS, TARGET_USAGE } from './args';
import { ApiError, ProcureApi, resolveApiTarget } from './api-client';
import { emit } from './output';
import { readInput } from './submit';
import { printQuote } from './views';

/**
 * `procure quote <file|->`: POST /quotes. The request is validated by the API with intake's own
 * parser (so the answer is exactly what a submit would get), priced as ValidateAndQuote prices it,
 * and nothing is reserved, added to a cart, mailed or audited.
 */
export const summary = 'price a purchase request without submitting it (nothing reserved)';

const USAGE = `usage: procure quote <file|-> [--api URL] [--data-dir DIR] [--json]

Prices the purchase request JSON in <file> (or stdin for -) without submitting it (POST /quotes):
the vendor's exact price (what its checkout or buy charges, as its pricing in procure computes
it), what is left of that vendor's monthly budget, and whether a person would have to approve
it and how many (the approval tier of its amount). Nothing is reserved, added to a cart, mailed or written to the audit trail.
The request is validated exactly as a submit is: every problem is listed with its field.

Exit code 0 when the request would go through, 1 when it would be refused or would stop later
(above its maxCost, or more than the budget left).
${TARGET_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, TARGET_OPTIONS);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [file] = expectPositionals(positionals, ['file|-']);
    const json = values.json === true;
    const { text, name } = readInput(file!);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new Error(`${name} is not JSON: ${(err as Error).message}`);
    }
    const api = new ProcureApi(resolveApiTarget({ api: values.api, dataDir: values['data-dir'] }));
    try {
      const quote = await api.quote(body);
      emit(json, quote, () => printQuote(quote));
      return quote.problems.length ? 1 : 0;
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        emit(json, { httpStatus: err.status, ...(err.body as object) }, () => {
          // The reasons quote the request's own text: shown escaped, like every stored value.
          console.error(`error: ${escapeControls(name)} would be refused (nothing was submitted or reserved):`);
          for (const r of err.reasons) console.error(`  - ${escapeControls(r)}`);
        });
        return 1;
      }
      throw err;
    }
  });
}
