import { COCALC_SANDBOX_DEFAULTS } from '../../lib/local/sandboxes/cocalc';
import type { FaultPlan } from '../../lib/local/sandboxes/faults';
import { startCli, type RunningCli } from './cli';

/**
 * The CoCalc sandbox as a vendor in its own process (`procure sandbox cocalc --port 0`), so its
 * state outlives whatever happens to the procure runtime, read and steered only through its HTTP
 * API with the account's key: the vendor's own records (cart, purchased items, licenses, balance)
 * and its fault admin endpoint.
 */

/** A cart item as CoCalc's `shopping/cart/get` returns it (the fields the tests read). */
export interface VendorCartItem {
  id: number;
  checked: boolean | null;
  removed: string | null;
  purchased: null | { success?: boolean; time?: string; license_id?: string };
  product: string;
  description: { description?: unknown } & Record<string, unknown>;
}

/** A row of `licenses/get-managed`. */
export interface VendorLicense {
  id: string;
  title: string | null;
  description: string | null;
}

export interface ExternalCocalc {
  /** The API base, `http://127.0.0.1:PORT/api/v2` (what COCALC_BASE_URL takes). */
  url: string;
  /** The account's key: the sandbox's default. */
  apiKey: string;
  process: RunningCli;
  /** `shopping/cart/get`: the cart (`{}`), bought items (`{purchased:true}`) or saved-for-later ones (`{removed:true}`). */
  cart(filter?: { purchased?: true; removed?: true }): Promise<VendorCartItem[]>;
  licenses(): Promise<VendorLicense[]>;
  balance(): Promise<number>;
  setFaults(plan: FaultPlan): Promise<void>;
  faults(): Promise<FaultPlan>;
  /** SIGKILL to the sandbox process (its state is gone then). */
  kill(): void;
}

export async function startExternalCocalc(): Promise<ExternalCocalc> {
  const proc = startCli(['sandbox', 'cocalc', '--port', '0']);
  let base: string;
  try {
    base = (await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+\/api\/v2)/, 60_000))[1]!;
  } catch (err) {
    proc.kill();
    throw err;
  }
  const apiKey = COCALC_SANDBOX_DEFAULTS.apiKey;
  const origin = new URL(base).origin;
  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${base}/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const parsed = (await res.json()) as T | { error: string };
    if (parsed !== null && typeof parsed === 'object' && 'error' in parsed) throw new Error(`CoCalc ${path}: ${(parsed as { error: string }).error}`);
    return parsed as T;
  };
  const admin = async (method: 'GET' | 'POST', plan?: FaultPlan): Promise<FaultPlan> => {
    const res = await fetch(`${origin}/__admin/faults`, { method, ...(plan ? { body: JSON.stringify(plan) } : {}) });
    if (res.status !== 200) throw new Error(`/__admin/faults answered ${res.status}`);
    return (await res.json()) as FaultPlan;
  };
  return {
    url: base,
    apiKey,
    process: proc,
    cart: (filter = {}) => call<VendorCartItem[]>('shopping/cart/get', filter),
    licenses: () => call<VendorLicense[]>('licenses/get-managed', {}),
    balance: () => call<number>('purchases/get-balance', {}),
    setFaults: async (plan) => {
      await admin('POST', plan);
    },
    faults: () => admin('GET'),
    kill: () => proc.kill(),
  };
}

/** The purchase a vendor item was tagged for: its description's last line is `procure purchase <id>`. */
export function taggedPurchaseId(item: Pick<VendorCartItem, 'description'>): string | undefined {
  const text = item.description?.description;
  return typeof text === 'string' ? /(?:^|\n)procure purchase (pur-[0-9a-f]{32})$/.exec(text)?.[1] : undefined;
}
