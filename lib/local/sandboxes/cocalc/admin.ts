import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBodyText as readBody } from '../../http-body';
import { sendJson } from './http-json';
import { toCents, type SandboxAccount, type SandboxState } from './state';

/**
 * `/__admin/accounts` (sandbox only, not a vendor endpoint): GET lists the accounts; POST changes
 * one (`account`: id or key, default the first account) or, with `create: true`, adds one and
 * returns its key. Lets a running sandbox play "top up the balance" or "make me a partner".
 */
export const ADMIN_ACCOUNTS_PATH = '/__admin/accounts';

const money = z.number().finite();
const adminRequest = z
  .object({
    create: z.boolean().optional(),
    account: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    accountId: z.uuid().optional(),
    email: z.string().min(1).optional(),
    balance: money.optional(),
    minBalance: money.optional(),
    minPayment: money.min(0).optional(),
    partner: z.boolean().optional(),
  })
  .strict();

/** Serves ADMIN_ACCOUNTS_PATH (any method; GET and POST do something). */
export async function handleAdminAccounts(req: IncomingMessage, res: ServerResponse, state: SandboxState): Promise<void> {
  const raw = await readBody(req);
  if (req.method === 'GET') return sendJson(res, 200, state.accounts().map(summary));
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'use GET or POST' });
  let parsed: z.infer<typeof adminRequest>;
  try {
    parsed = adminRequest.parse(JSON.parse(raw || '{}'));
  } catch (err) {
    return sendJson(res, 400, { error: err instanceof z.ZodError ? z.prettifyError(err) : 'body must be JSON' });
  }
  const { create, account: which, apiKey, accountId, email, balance, minBalance, minPayment, partner } = parsed;
  if (create) {
    try {
      const added = state.addAccount({ apiKey, accountId, email, balance, minBalance, partner });
      if (minPayment !== undefined) added.minPayment = minPayment;
      return sendJson(res, 200, { apiKey: added.apiKey, ...summary(added) });
    } catch (err) {
      return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    }
  }
  const account = which === undefined ? state.accounts()[0] : state.find(which);
  if (!account) return sendJson(res, 404, { error: `no account ${which ?? ''}`.trim() });
  if (balance !== undefined) account.balance = toCents(balance) / 100;
  if (minBalance !== undefined) account.minBalance = minBalance;
  if (minPayment !== undefined) account.minPayment = minPayment;
  if (partner !== undefined) account.partner = partner;
  if (email !== undefined) account.email = email;
  sendJson(res, 200, summary(account));
}

function summary(a: SandboxAccount): Record<string, unknown> {
  return {
    accountId: a.accountId,
    email: a.email,
    balance: a.balance,
    minBalance: a.minBalance,
    minPayment: a.minPayment,
    partner: a.partner,
    cartItems: a.cart.length,
    licenses: a.licenses.length,
  };
}
