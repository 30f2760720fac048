import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { DynamoApprovalStore } from '../../lambdas/adapters/aws/dynamo-approval-store';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { parseEml, type LocalRuntime, type OutboxMail } from '../../lib/local';
import { APPROVAL_LINK_HEADER } from '../../lambdas/core/approval-mail';
import { runtimeDocClient, runtimeTable } from './runtime-tables';
import { waitFor } from './wait';

/**
 * What the browser tests need around a local runtime: a real headless Chromium (Debian's package,
 * installed by scripts/ensure-chromium.sh; npm browser downloads cannot work offline), the approval
 * link read out of the outbox's .eml file the way a mail client shows it, and the runtime's own
 * tables read back through procure's adapters.
 */
const CHROMIUM_PATH = process.env.PROCURE_CHROMIUM ?? '/usr/bin/chromium';

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

/** How long the browser tests wait for a mail or a workflow step by default. */
export const BROWSER_WAIT_MS = 15_000;

/** An approval mail as the approver's mail client shows it. */
export interface EmailedApproval {
  mail: OutboxMail;
  subject: string;
  text: string;
  /** The approval link, read from the .eml file's `X-Procure-Approval-Link` header (procure's own data, not the body). */
  link: string;
}

/**
 * Waits for the approval mail that mentions `marker` (e.g. the request's reason), then opens its
 * .eml file and takes the approval link from the header procure set (a mail client shows the
 * same link as the text's "Review and decide" line, which comes before any requester text).
 */
export async function emailedApproval(rt: LocalRuntime, marker: string, timeoutMs = BROWSER_WAIT_MS): Promise<EmailedApproval> {
  const mail = await waitFor(`an approval mail mentioning "${marker}"`, () => rt.mails.find((m) => m.text?.includes(marker)), timeoutMs);
  const eml = parseEml(readFileSync(mail.file, 'utf8'));
  const link = eml.headers[APPROVAL_LINK_HEADER.toLowerCase()];
  if (!link) throw new Error(`no approval link in ${mail.file}`);
  return { mail, subject: eml.headers.subject ?? '', text: eml.text ?? '', link };
}

/** procure's stores on the runtime's own tables (in-memory dynalite behind its loopback endpoint). */
export function runtimeStores(rt: LocalRuntime) {
  const { doc, destroy } = runtimeDocClient(rt, 1);
  const stateTable = runtimeTable(rt, 'StateTable');
  return {
    approvals: new DynamoApprovalStore(doc, stateTable),
    purchases: new DynamoPurchaseStore(doc, stateTable),
    audit: new DynamoAuditLog(doc, runtimeTable(rt, 'AuditTable')),
    close: destroy,
  };
}
export type RuntimeStores = ReturnType<typeof runtimeStores>;
