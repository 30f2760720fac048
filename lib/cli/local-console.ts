import { isAbsolute, join, relative } from 'node:path';
import type { ElsewhereUrl } from './local-options';
import { type Vendor, vendorLabel, VENDORS } from '../../lambdas/core/vendors';
import { EVENTS } from '../../lambdas/core/workflow';
import { escapeControls } from '../../lambdas/core/safe-text';
import type { LocalRuntime, OutboxMail } from '../local';
import { printTable } from './output';
import type { RequestRoute } from './request-route';
import { runtimeFile } from './runtime-file';
import { approvalLinkOf } from './runtime-report';
import { formatTime } from './views';

/**
 * What `procure local` prints about the runtime it started (local.ts runs it): where everything
 * listens, the purchases that went on or were closed after the last stop, and each mail with its
 * approval link. Text written by others (mail fields) is shown with controls escaped.
 */

/**
 * A path as the console shows it: relative to the folder procure was started in when it lies
 * inside it (`.procure/outbox` after `npm start`), else whole, so the output reads the same on
 * every machine.
 */
export function shownPath(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Where the running runtime listens and keeps its files. */
export function printRunning(rt: LocalRuntime, route: RequestRoute, dataDir: string, elsewhere: Partial<Record<Vendor, ElsewhereUrl>>): void {
  console.log(`\nprocure is running locally (stack ${rt.stackName}, ${rt.region}), up in ${(rt.startupMs / 1000).toFixed(1)} s`);
  const rows: Array<[string, string]> = [
    ['API', `${rt.apiUrl}   (/purchases, /purchases/{id}, /quotes, /licenses: SigV4; GET|POST /approvals/{id})`],
    ['EventBridge', `${rt.awsEndpoint}   (PutEvents, source ${route.source}, detail-type "${EVENTS.requested}")`],
    ['outbox', `${shownPath(rt.outboxDir)}   (mails as .eml files)`],
  ];
  for (const vendor of VENDORS) {
    const sandbox = rt.sandboxes[vendor];
    const other = elsewhere[vendor];
    if (sandbox) rows.push([vendorLabel(vendor), `${sandbox.url}   (sandbox)`]);
    else if (other) rows.push([vendorLabel(vendor), `${other.url}   (${other.setBy})`]);
  }
  rows.push(['secrets', `${shownPath(join(dataDir, 'secrets.json'))}   (sandbox credentials and the link signing key)`]);
  rows.push(['runtime.json', `${shownPath(runtimeFile(dataDir))}   (how the other procure commands find this runtime)`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('');
}

/** The purchases that went on after the last stop, from the step they had reached. */
export function printResumed(rt: LocalRuntime): void {
  if (rt.resumed.length === 0) return;
  console.log(`${rt.resumed.length} purchase(s) were still running when the runtime last stopped; they go on from the step they had reached`);
  console.log('(one waiting for approval gets a fresh approval mail; its old link no longer works):');
  printTable(
    rt.resumed.map((r) => ({ purchase: r.purchaseId, 'goes on at': r.state, 'expired links': r.expiredApprovals })),
    ['purchase', 'goes on at', 'expired links'],
  );
  console.log('');
}

/** The purchases the last stop left at a step this version no longer has, which the workflow closed. */
export function printInterrupted(rt: LocalRuntime): void {
  if (rt.interrupted.length === 0) return;
  console.log(`${rt.interrupted.length} purchase(s) were still running when the runtime last stopped, at a step this version of the workflow`);
  console.log('no longer has, so the workflow closed them: their approval links no longer work and their budget was released (kept where a vendor');
  console.log('purchase may have started: NEEDS_ATTENTION). To buy one after all, submit it with a new requestId:');
  printTable(
    rt.interrupted.map((i) => ({ purchase: i.purchaseId, started: formatTime(i.startDate), 'expired links': i.expiredApprovals })),
    ['purchase', 'started', 'expired links'],
  );
  console.log('');
}

/** The mail line and its approval link (from procure's header); everything shown with controls escaped. */
export function printMail(mail: OutboxMail, print: (line: string) => void = (l) => console.log(l)): void {
  print(`\nMail to ${escapeControls(mail.to.join(', '))}: "${escapeControls(mail.subject)}"   (${escapeControls(shownPath(mail.file))})`);
  const found = approvalLinkOf(mail);
  if (!found) {
    for (const l of mail.links) print(`  link: ${escapeControls(l)}`);
    return;
  }
  const link = escapeControls(found);
  const bar = '='.repeat(72);
  print(`  ${bar}`);
  print('  Open this link in a browser and press Approve (or Reject):\n');
  print(`    ${link}\n`);
  print(`  or run: npx procure approve '${link}'`);
  print(`  ${bar}\n`);
}
