import { vendorLabel, vendorLabels, VENDORS } from '../../lambdas/core/vendor-names';
import type { Vendor } from '../../lambdas/core/purchase-request';
import { EVENTS, purchaseIdFor, type NormalizedLicense } from '../../lambdas/core/workflow';
import { startLocalRuntime, type LocalRuntime, type OutboxMail } from '../local';
import { decideApproval } from './approval-client';
import { parseCommandArgs, runCommand } from './args';
import type { PurchaseView } from './api-client';
import { classifyOutcome } from './decision-command';
import { putPurchaseEvent } from './events-client';
import { printJson, printTable } from './output';
import { apiOf, approvalLinkOf, outputOf, runtimeLog, stepPrinter } from './runtime-report';
import { sampleRequest, timestampedRequestId, type PurchaseRequestBody } from './sample-requests';
import { formatDuration, printAuditTrail, printLicenses } from './views';
import { requestRouteOf } from './request-route';

/**
 * `procure demo` (npm run demo): the whole workflow for every registered vendor and both entry
 * points, in an in-memory runtime, with every check a person would make. Each vendor's sample
 * (its sandbox part) goes in, the first as an EventBridge event, the next as a signed POST
 * /purchases, and so on in turn; each is approved through its mail's link (the confirm page, then
 * the Approve button), every execution must succeed, GET /licenses must list every license, and
 * every audit trail is printed. Exit 0 only if all of it happened.
 */
/** How purchases go in, in turn: the first vendor's as an event, the next one's through the API. */
const ENTRY_POINTS = ['EventBridge event', 'POST /purchases (SigV4)'] as const;

/** "CoCalc and InterServer". */
const LABELS = vendorLabels();

/** "the" for one, "both" for two, "all 3" for more. */
function all(n: number): string {
  return n === 1 ? 'the' : n === 2 ? 'both' : `all ${n}`;
}

export const summary = `buy one license each from ${LABELS} end to end, offline`;

const USAGE = `usage: procure demo [--verbose] [--json]

Runs the workflow offline in memory: one purchase each from ${LABELS},
submitted in turn as an EventBridge event and with a signed POST /purchases, each approved
through its approval link, bought from the vendor sandboxes, verified in GET /licenses, audit
trails printed.
Exits 0 only when all of that happened.
  --verbose   also print the Lambda handlers' logs
  --json      print only a JSON summary at the end`;

/** A demo step that did not happen; its message is the reason the demo failed. */
class DemoFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoFailure';
  }
}

interface DemoPurchase {
  vendor: Vendor;
  entryPoint: (typeof ENTRY_POINTS)[number];
  requestId: string;
  purchaseId: string;
  request: PurchaseRequestBody;
  status?: string;
  execution?: string;
  license?: NormalizedLicense;
  view?: PurchaseView;
}

/** Narration: nothing in --json mode. */
interface Out {
  say(line: string): void;
  show(print: () => void): void;
}

const MAIL_TIMEOUT_MS = 60_000;
const EXECUTION_TIMEOUT_MS = 120_000;

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values } = parseCommandArgs(argv, { verbose: { type: 'boolean' }, json: { type: 'boolean' } }, false);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    return demo({ verbose: values.verbose === true, json: values.json === true });
  });
}

async function demo(options: { verbose: boolean; json: boolean }): Promise<number> {
  const out: Out = options.json ? { say: () => {}, show: () => {} } : { say: (line) => console.log(line), show: (print) => print() };
  const { say } = out;
  const t0 = Date.now();
  const stamp = timestampedRequestId('demo');
  // One purchase for each vendor of the registry, its sample (its sandbox part); the entry points take turns.
  const purchases: DemoPurchase[] = VENDORS.map((vendor, i) => {
    const requestId = `${stamp}-${vendor}`;
    return { vendor, entryPoint: ENTRY_POINTS[i % 2]!, requestId, purchaseId: purchaseIdFor(requestId), request: sampleRequest(vendor, requestId) };
  });

  say(`procure demo: one purchase each from ${LABELS}, end to end, offline\n`);
  say('[1/6] Starting the local runtime in memory (synthesized CDK app, vendor sandboxes) ...');
  let rt: LocalRuntime | undefined;
  try {
    rt = await startLocalRuntime({
      inMemory: true,
      ...(options.json ? {} : { onStep: stepPrinter() }),
      log: options.json ? () => {} : runtimeLog(options.verbose),
    });
    const { sandboxes } = rt;
    const urls = VENDORS.map((v) => `${vendorLabel(v)} sandbox ${sandboxes[v]?.url ?? '-'}`);
    say(`      up in ${formatDuration(rt.startupMs)}: API ${rt.apiUrl}, ${urls.join(', ')}\n`);
    await submitAll(rt, purchases, out);
    await approveAll(rt, purchases, out);
    await awaitAll(rt, purchases, out);
    const licenses = await checkLicenses(rt, purchases, out);
    await readAuditTrails(rt, purchases, out);

    if (options.json) {
      printJson({ ok: true, purchases: purchases.map(({ view: _view, request: _request, ...p }) => p), licenses });
    } else {
      say(`\nDemo complete in ${formatDuration(Date.now() - t0)}: ${all(purchases.length)} purchases approved, bought, verified and audited.`);
      out.show(() =>
        printTable(
          purchases.map((p) => ({
            vendor: vendorLabel(p.vendor),
            'entry point': p.entryPoint,
            purchase: p.purchaseId,
            status: p.status,
            license: p.license?.id,
            amount: p.view?.amountUsd !== undefined ? `$${p.view.amountUsd.toFixed(2)}` : '',
          })),
          ['vendor', 'entry point', 'purchase', 'status', 'license', 'amount'],
        ),
      );
    }
    return 0;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (options.json) printJson({ ok: false, reason, purchases: purchases.map(({ view: _view, request: _request, ...p }) => p) });
    console.error(`\ndemo failed: ${reason}`);
    return 1;
  } finally {
    await rt?.close();
  }
}

async function submitAll(rt: LocalRuntime, purchases: DemoPurchase[], { say }: Out): Promise<void> {
  say('[2/6] Submitting the purchases');
  const route = requestRouteOf(rt);
  for (const p of purchases) {
    if (p.entryPoint === ENTRY_POINTS[0]) {
      const { eventId } = await putPurchaseEvent({ ...rt.clientConfig('aws') }, p.request, { source: route.source, eventBusName: route.busName });
      say(
        `      ${vendorLabel(p.vendor)}: EventBridge PutEvents "${EVENTS.requested}" (event ${eventId}), requestId ${p.requestId} -> purchase ${p.purchaseId}`,
      );
      continue;
    }
    const submitted = await apiOf(rt).submitPurchase(p.request);
    if (submitted.purchaseId !== p.purchaseId) throw new DemoFailure(`POST /purchases returned purchase ${submitted.purchaseId}, expected ${p.purchaseId}`);
    say(
      `      ${vendorLabel(p.vendor)}: signed POST /purchases -> ${submitted.httpStatus} ${submitted.status}, requestId ${p.requestId} -> purchase ${submitted.purchaseId}`,
    );
  }
  say('');
}

async function approveAll(rt: LocalRuntime, purchases: DemoPurchase[], { say }: Out): Promise<void> {
  say('[3/6] Waiting for the approval mails, then approving each through its link (confirm page, then Approve)');
  for (const p of purchases) {
    const mail = await waitForMail(
      rt,
      (m) => m.subject.includes(vendorLabel(p.vendor)) && m.subject.includes(p.request.requester.name),
      `the ${vendorLabel(p.vendor)} approval mail`,
    );
    const link = approvalLinkOf(mail);
    if (!link) throw new DemoFailure(`the ${vendorLabel(p.vendor)} approval mail has no approval link`);
    say(`      mail "${mail.subject}" -> ${link.replace(/sig=.*/, 'sig=...')}`);
    const outcome = await decideApproval(link, 'approve', 'approved by procure demo');
    if (classifyOutcome(outcome) !== 'approved')
      throw new DemoFailure(`approving ${p.purchaseId} failed: HTTP ${outcome.status}: ${outcome.text.slice(0, 200)}`);
    say(`      page: ${outcome.lines.slice(0, 2).join(': ')}`);
  }
  say('');
}

async function awaitAll(rt: LocalRuntime, purchases: DemoPurchase[], { say }: Out): Promise<void> {
  say(`[4/6] Waiting for ${all(purchases.length)} executions to finish`);
  for (const p of purchases) {
    const record = await rt.executions.wait(p.purchaseId, { timeoutMs: EXECUTION_TIMEOUT_MS });
    p.execution = record.status;
    if (record.status !== 'SUCCEEDED')
      throw new DemoFailure(`the ${vendorLabel(p.vendor)} execution ${record.status}: ${record.error ?? ''} ${record.cause ?? ''}`.trim());
    const license = outputOf(record.output)?.license;
    if (!license) throw new DemoFailure(`the ${vendorLabel(p.vendor)} execution succeeded without a license in its output`);
    p.license = license;
    say(
      `      ${vendorLabel(p.vendor)}: ${record.status} in ${formatDuration(Date.parse(record.stopDate ?? record.startDate) - Date.parse(record.startDate))}, license ${license.id}`,
    );
  }
  say('');
}

async function checkLicenses(rt: LocalRuntime, purchases: DemoPurchase[], { say, show }: Out): Promise<NormalizedLicense[]> {
  say(`[5/6] GET /licenses (signed) lists ${all(purchases.length)} licenses`);
  const licenses = await apiOf(rt).listLicenses();
  const bought = purchases.map((p) => licenses.find((l) => l.vendor === p.vendor && l.id === p.license?.id));
  const missing = purchases.filter((_, i) => !bought[i]);
  if (missing.length)
    throw new DemoFailure(`GET /licenses does not list ${missing.map((p) => `the ${vendorLabel(p.vendor)} license ${p.license?.id}`).join(' and ')}`);
  show(() => printLicenses(licenses));
  say('');
  return licenses;
}

async function readAuditTrails(rt: LocalRuntime, purchases: DemoPurchase[], { say, show }: Out): Promise<void> {
  say('[6/6] Audit trails (GET /purchases/{id})');
  const api = apiOf(rt);
  for (const p of purchases) {
    const view = await api.getPurchase(p.purchaseId);
    p.view = view;
    p.status = view.status;
    if (view.status !== 'COMPLETED') throw new DemoFailure(`purchase ${p.purchaseId} is ${view.status}, not COMPLETED`);
    if (!view.audit.some((e) => e.type === 'APPROVAL_DECIDED')) throw new DemoFailure(`the audit trail of ${p.purchaseId} has no APPROVAL_DECIDED entry`);
    say(`\n${vendorLabel(p.vendor)} purchase ${p.purchaseId} (${p.entryPoint}):`);
    show(() => printAuditTrail(view.audit));
  }
}

async function waitForMail(rt: LocalRuntime, match: (m: OutboxMail) => boolean, what: string): Promise<OutboxMail> {
  const deadline = Date.now() + MAIL_TIMEOUT_MS;
  for (;;) {
    const mail = rt.mails.find(match);
    if (mail) return mail;
    if (Date.now() > deadline) throw new DemoFailure(`${what} did not arrive within ${MAIL_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
