import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';

/**
 * The curl commands of CoCalc's "Using the v2 api to buy a license" (shared/seeds/000_f44bd642b8a6fb76.txt),
 * copied verbatim (line breaks, `| jq` and trailing spaces included), run by bash against the
 * sandbox with only `url` changed, as the doc's first block sets it up.
 */
const SEED = {
  variables: (url: string) => `key='sk_TT9hr4nnotsiUXx0'        # your API key\nurl='${url}'  # the server\n`,
  userQuery: `curl -sk -u $key: -H 'Content-Type: application/json' \\
   -d '{"query":{"accounts":{"account_id":null,"email_address":null}}}' \\
   $url/user-query | jq`,
  addToCart: `curl -sk -u $key: -H 'Content-Type: application/json' \\
   -d '{"account_id":"a407cc35-c960-481c-9928-1238c868ff8b", "product":"site-license", "description":{"ram":16,"cpu":2,"disk":10,"member":true,"uptime": "medium", "type": "quota", "user": "business","boost": false,"period":"monthly","run_limit":1,"title": "my title","description": "my desc"}}' \\
   $url/shopping/cart/add `,
  checkout: `curl -sk -u $key: -H 'Content-Type: application/json' \\
   $url/shopping/cart/checkout `,
  getManaged: `curl -sk -u $key: -H 'Content-Type: application/json' \\
   $url/licenses/get-managed`,
};

/** The doc's documented output of the user-query example, as jq prints it. */
const DOCUMENTED_USER_QUERY_OUTPUT = `{
  "query": {
    "accounts": {
      "account_id": "a407cc35-c960-481c-9928-1238c868ff8b",
      "email_address": "wstein@gmail.com"
    }
  }
}
`;

const run = promisify(execFile);
let sandbox: CocalcSandbox;

beforeAll(async () => {
  // The seed's account, throttle and captcha exactly as defaults give them.
  sandbox = await startCocalcSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

/** Runs one documented command in bash (async, so this process's sandbox can answer it). */
async function seed(command: string): Promise<string> {
  const { stdout } = await run('/bin/bash', ['-c', SEED.variables(sandbox.url) + command], { timeout: 10_000 });
  return stdout;
}

async function makePartner(): Promise<void> {
  const admin = sandbox.url.replace(/\/api\/v2$/, '/__admin/accounts');
  const res = await fetch(admin, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"partner":true}' });
  expect(res.status).toBe(200);
}

describe("the seed doc's curl commands against the CoCalc sandbox", () => {
  it('prints the documented user-query output for the hello-world query', async () => {
    expect(await seed(SEED.userQuery)).toBe(DOCUMENTED_USER_QUERY_OUTPUT);
  });

  it('prints 1 for the add-to-cart example and puts the item in the cart', async () => {
    expect(await seed(SEED.addToCart)).toBe('1');
    expect(sandbox.account('a407cc35-c960-481c-9928-1238c868ff8b').cart).toHaveLength(1);
  });

  it('prints the documented captcha error for the checkout when the account is not a partner', async () => {
    expect(await seed(SEED.checkout)).toBe('{"error":"reCaptcha token must be provided"}');
  });

  it('prints a JSON array of licenses: empty before, one after a partner checkout', async () => {
    expect(JSON.parse(await seed(SEED.getManaged))).toEqual([]);
    await makePartner();
    expect(await seed(SEED.checkout)).toBe('{"success":true}');
    const licenses = JSON.parse(await seed(SEED.getManaged)) as Array<Record<string, unknown>>;
    expect(licenses).toEqual([
      expect.objectContaining({ title: 'my title', description: 'my desc', run_limit: 1, managers: ['a407cc35-c960-481c-9928-1238c868ff8b'] }),
    ]);
    expect(typeof licenses[0]!.created).toBe('number');
  });
});
