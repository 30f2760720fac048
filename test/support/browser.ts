import { existsSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chromium, type Browser } from 'playwright-core';
import { DynamoApprovalStore } from '../../lambdas/adapters/aws/dynamo-approval-store';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { parseEml, type LocalRuntime, type OutboxMail } from '../../lib/local';

/**
 * What the browser tests need around a local runtime: a real headless Chromium (Debian's package,
 * installed by scripts/ensure-chromium.sh; npm browser downloads cannot work offline), the approval
 * link read out of the outbox's .eml file the way a mail client shows it, and the runtime's own
 * tables read back through procure's adapters.
 */
export const CHROMIUM_PATH = process.env.PROCURE_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep Chromium from calling out (the network is closed) and from needing a sandbox. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium with a fresh temporary profile (Playwright's default launch). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: run scripts/ensure-chromium.sh (npm test does) or set PROCURE_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Polls `probe` until it returns something other than undefined. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An approval mail as the approver's mail client shows it. */
export interface EmailedApproval {
  mail: OutboxMail;
  subject: string;
  text: string;
  /** The "Review and decide" link, read from the .eml file's text part. */
  link: string;
}

/**
 * Waits for the approval mail that mentions `marker` (e.g. the request's reason), then opens its
 * .eml file and takes the approval link out of the decoded text part.
 */
export async function emailedApproval(rt: LocalRuntime, marker: string, timeoutMs?: number): Promise<EmailedApproval> {
  const mail = await waitFor(`an approval mail mentioning "${marker}"`, () => rt.mails.find((m) => m.text?.includes(marker)), timeoutMs);
  const eml = parseEml(readFileSync(mail.file, 'utf8'));
  const link = /https?:\/\/\S+\/approvals\/\S+/.exec(eml.text ?? '')?.[0];
  if (!link) throw new Error(`no approval link in ${mail.file}`);
  return { mail, subject: eml.headers.subject ?? '', text: eml.text ?? '', link };
}

/** procure's stores on the runtime's own tables (in-memory dynalite behind its loopback endpoint). */
export function runtimeStores(rt: LocalRuntime) {
  const table = (prefix: string): string => {
    const name = Object.values(rt.tables).find((t) => t.startsWith(prefix));
    if (!name) throw new Error(`no ${prefix} table in ${Object.values(rt.tables).join(', ')}`);
    return name;
  };
  const client = new DynamoDBClient({ ...rt.clientConfig('dynamodb'), maxAttempts: 1 });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    approvals: new DynamoApprovalStore(doc, table('StateTable')),
    purchases: new DynamoPurchaseStore(doc, table('StateTable')),
    audit: new DynamoAuditLog(doc, table('AuditTable')),
    close: () => client.destroy(),
  };
}
export type RuntimeStores = ReturnType<typeof runtimeStores>;
