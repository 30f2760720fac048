import { ProcureApi } from '../api-client';
import { fail, pass, type CheckResult } from './check';
import type { DoctorTarget } from './target';

/** The API answers a signed read (`GET /purchases?limit=1`, an IAM route): reachable, and the signature accepted. */
export async function checkApi(t: DoctorTarget): Promise<CheckResult[]> {
  const name = 'API: signed call';
  const url = t.api.apiUrl;
  const unreachableFix =
    t.kind === 'local'
      ? 'start the local runtime (npm start), or pass the --api it prints'
      : 'check the URL (the ApiUrl output, stage included: .../prod) and that the stack is deployed';
  let res: { status: number; body: unknown };
  try {
    res = await new ProcureApi(t.api).call('GET', '/purchases', { query: { limit: '1' } });
  } catch (err) {
    return [fail(name, (err as Error).message, unreachableFix)];
  }
  if (res.status === 200) return [pass(name, `${url} answered a signed GET /purchases (200)`)];
  const message = (res.body as { message?: unknown } | undefined)?.message;
  const said = typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
  if (res.status === 403) {
    return [
      fail(
        name,
        `${url} refused the signed call (403${said})`,
        t.kind === 'local'
          ? 'restart the local runtime (its per-run credentials changed)'
          : 'use AWS credentials allowed execute-api:Invoke on this API, and a URL that includes the stage (/prod)',
      ),
    ];
  }
  return [fail(name, `${url} answered GET /purchases with ${res.status}${said}`, unreachableFix)];
}
