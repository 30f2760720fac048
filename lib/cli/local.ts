import { join, resolve } from 'node:path';
import { purchaseIdFor, EVENTS } from '../../lambdas/core/workflow';
import { ENV } from '../../lambdas/shared/env-names';
import {
  DEFAULT_DRAIN_MS,
  DEFAULT_LAMBDA_CONCURRENCY,
  startLocalRuntime,
  type DeliveryHold,
  type LocalRuntime,
  type OutboxMail,
  type StepEvent,
} from '../local';
import { parseCommandArgs, parsePort, runCommand, UsageError } from './args';
import { printTable } from './output';
import { requestRouteOf, type RequestRoute } from './request-route';
import { clearRuntimeInfo, DEFAULT_DATA_DIR, runtimeFile, runtimeInfoOf, writeRuntimeInfo } from './runtime-file';
import { approvalLinkOf, reportExecution, runtimeLog, stepPrinter } from './runtime-report';
import { sampleCocalcRequest, timestampedRequestId } from './sample-requests';
import { formatTime } from './views';
import { escapeControls } from '../../lambdas/core/safe-text';

/**
 * `procure local` (what `npm start` runs): the synthesized app on this machine, with persistent
 * data, until Ctrl+C or SIGTERM. Prints where everything listens, submits a sample purchase, prints
 * approval links as mails arrive, streams the workflow's steps, and reports each finished purchase.
 * Stopping is graceful (LocalRuntime.stop): new work is refused, Lambda invocations in flight (a
 * vendor call, say) finish within --drain-seconds, then everything closes and the process exits 0;
 * a second Ctrl+C exits at once.
 */
export const summary = 'run the whole workflow offline on this machine (npm start)';

export const DEFAULT_LOCAL_PORT = 3000;

/** Overrides the Lambda concurrency per function (LocalRuntimeOptions.lambdaConcurrency). */
export const LAMBDA_CONCURRENCY_ENV = 'PROCURE_LOCAL_LAMBDA_CONCURRENCY';

/**
 * A CoCalc API v2 base URL to use instead of the built-in CoCalc sandbox (COCALC_BASE_URL through
 * LocalRuntimeOptions.configOverrides): a sandbox in another process, say, whose state outlives the runtime.
 */
export const COCALC_BASE_URL_ENV = 'PROCURE_COCALC_BASE_URL';

/**
 * A test fault (LocalRuntimeOptions.eventDeliveryHold): `before-invoke:MS` or `after-invoke:MS`
 * holds every EventBridge delivery that long before its first attempt, or after it succeeded and
 * before it is marked done, so a test can kill the runtime in between.
 */
export const EVENT_HOLD_ENV = 'PROCURE_LOCAL_EVENT_HOLD';

const USAGE = `usage: procure local [--port N] [--data-dir DIR] [--no-sample] [--verbose] [--drain-seconds N]

Runs the synthesized CDK app offline (DynamoDB, Step Functions, Lambda, SES outbox, EventBridge,
API Gateway on loopback; CoCalc and InterServer sandboxes) until Ctrl+C or SIGTERM.
  --port N           API port (default ${DEFAULT_LOCAL_PORT}; 0 = any free port)
  --data-dir DIR     tables, secrets, execution records, outbox and runtime.json (default ${DEFAULT_DATA_DIR})
  --no-sample        do not submit the sample CoCalc purchase
  --verbose          also print the Lambda handlers' logs
  --drain-seconds N  on Ctrl+C / SIGTERM, how long Lambda invocations in flight may take to finish
                     before they are cut off (default ${DEFAULT_DRAIN_MS / 1000}); a second Ctrl+C exits at once
Environment: ${LAMBDA_CONCURRENCY_ENV}=N  execution environments per function at once (default ${DEFAULT_LAMBDA_CONCURRENCY});
  an invocation beyond them is throttled (Lambda.TooManyRequestsException) as on AWS.
  ${COCALC_BASE_URL_ENV}=URL  a CoCalc API v2 base URL (http://127.0.0.1:4100/api/v2 for \`procure sandbox cocalc\`) used
  instead of the built-in CoCalc sandbox; the CoCalc API key in <data-dir>/secrets.json must be that account's.
  ${EVENT_HOLD_ENV}=before-invoke:MS|after-invoke:MS  tests only: hold every EventBridge delivery MS ms before
  it runs, or after it ran and before it is marked delivered (to kill the runtime in between).`;

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values } = parseCommandArgs(
      argv,
      {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'no-sample': { type: 'boolean' },
        verbose: { type: 'boolean' },
        'drain-seconds': { type: 'string' },
      },
      false,
    );
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const port = parsePort(values.port, DEFAULT_LOCAL_PORT);
    const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
    const drainMs = parseDrainSeconds(values['drain-seconds']) * 1000;
    const lambdaConcurrency = parseLambdaConcurrency(process.env[LAMBDA_CONCURRENCY_ENV]);
    const cocalcBaseUrl = parseCocalcBaseUrl(process.env[COCALC_BASE_URL_ENV]);
    const vendor = cocalcBaseUrl !== undefined ? { cocalcBaseUrl } : {};
    const eventDeliveryHold = parseEventHold(process.env[EVENT_HOLD_ENV]);
    return serve({
      port,
      dataDir,
      sample: !values['no-sample'],
      verbose: values.verbose === true,
      drainMs,
      ...(lambdaConcurrency !== undefined ? { lambdaConcurrency } : {}),
      ...(eventDeliveryHold ? { eventDeliveryHold } : {}),
      ...vendor,
    });
  });
}

/** `--drain-seconds`: a non-negative number of seconds, default DEFAULT_DRAIN_MS. */
export function parseDrainSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DRAIN_MS / 1000;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--drain-seconds must be a number of seconds >= 0, got "${value}"`);
  return seconds;
}

/** PROCURE_LOCAL_LAMBDA_CONCURRENCY: unset or empty = the runtime's default, else a positive integer. */
export function parseLambdaConcurrency(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${LAMBDA_CONCURRENCY_ENV} must be a positive integer, got "${value}"`);
  return n;
}

/** PROCURE_COCALC_BASE_URL: unset or empty = the built-in sandbox, else an http(s) URL. */
export function parseCocalcBaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`${COCALC_BASE_URL_ENV} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${COCALC_BASE_URL_ENV} must be an http(s) URL, got "${value}"`);
  return value.trim().replace(/\/+$/, '');
}

/** PROCURE_LOCAL_EVENT_HOLD: unset or empty = none, else `before-invoke:MS` or `after-invoke:MS`. */
export function parseEventHold(value: string | undefined): DeliveryHold | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const m = /^(before-invoke|after-invoke):(\d+)$/.exec(value.trim());
  if (!m) throw new UsageError(`${EVENT_HOLD_ENV} must be before-invoke:MS or after-invoke:MS, got "${value}"`);
  return { at: m[1] as DeliveryHold['at'], ms: Number(m[2]) };
}

async function serve(options: {
  port: number;
  dataDir: string;
  sample: boolean;
  verbose: boolean;
  drainMs: number;
  lambdaConcurrency?: number;
  eventDeliveryHold?: DeliveryHold;
  cocalcBaseUrl?: string;
}): Promise<number> {
  const { dataDir } = options;
  const stop = stopSignal();
  let rt: LocalRuntime | undefined;
  const reports = new Set<Promise<unknown>>();
  let stopping = false;
  const onEnd = (step: StepEvent): void => {
    // Executions cut off by the shutdown end as aborted here but stay RUNNING on disk: nothing to report.
    if (!rt || stopping) return;
    const p = reportExecution(rt, step.executionArn)
      .catch((err: unknown) => console.log(`  could not report ${step.executionName}: ${(err as Error).message}`))
      .finally(() => reports.delete(p));
    reports.add(p);
  };

  console.log(`Starting the procure local runtime (data in ${dataDir}) ...`);
  try {
    rt = await startLocalRuntime({
      dataDir,
      port: options.port,
      ...(options.lambdaConcurrency !== undefined ? { lambdaConcurrency: options.lambdaConcurrency } : {}),
      ...(options.eventDeliveryHold ? { eventDeliveryHold: options.eventDeliveryHold } : {}),
      ...(options.cocalcBaseUrl !== undefined ? { configOverrides: { [ENV.COCALC_BASE_URL]: options.cocalcBaseUrl } } : {}),
      onStep: stepPrinter(onEnd),
      onMail: printMail,
      log: runtimeLog(options.verbose),
    });
  } catch (err) {
    const message = (err as Error).message;
    if (/EADDRINUSE/.test(message)) throw new Error(`port ${options.port} is in use: ${message} (pick another with --port N, or --port 0 for any free port)`);
    throw err;
  }
  const running = rt;
  try {
    const route = requestRouteOf(running);
    writeRuntimeInfo(runtimeInfoOf(running, process.pid), dataDir);
    printRunning(running, route, dataDir, options.cocalcBaseUrl);
    printResumed(running);
    printInterrupted(running);
    if (options.sample) await submitSample(running, route);
    console.log('Serving until Ctrl+C. Other terminals: npx procure quote|submit|list|status|audit|licenses|approve (see npx procure --help).\n');

    const signal = await stop.received;
    stopping = true;
    console.log(`\n${signal}: stopping the local runtime ...`);
    stop.onSecond(() => {
      console.log('second signal: exiting without a clean shutdown');
      clearRuntimeInfo(dataDir, process.pid);
      process.exit(130);
    });
    // Reports already being printed finish first: they read the purchase through the API, which the stop refuses.
    await Promise.race([Promise.allSettled([...reports]), new Promise((r) => setTimeout(r, 3000).unref())]);
    const result = await running.stop({
      drainMs: options.drainMs,
      onDrain: (n) =>
        console.log(
          `  new work is refused; waiting up to ${options.drainMs / 1000} s for ${n} Lambda invocation(s) in flight to finish (Ctrl+C again to exit at once)`,
        ),
    });
    if (result.cutOff > 0) console.log(`  ${result.cutOff} Lambda invocation(s) still running after ${options.drainMs / 1000} s were cut off.`);
    else if (result.inflight > 0) console.log(`  ${result.inflight} Lambda invocation(s) finished in ${(result.waitedMs / 1000).toFixed(1)} s.`);
    const waiting = running.executions.list({ status: 'RUNNING' });
    const note = waiting.length ? ` ${waiting.length} purchase(s) still running will go on from where they stood at the next start.` : '';
    console.log(`Stopped.${note}`);
    return 0;
  } finally {
    // Also after a failure past start-up (a refused sample, an unwritable runtime.json): nothing keeps running.
    stopping = true;
    await running.close();
    clearRuntimeInfo(dataDir, process.pid);
  }
}

function printRunning(rt: LocalRuntime, route: RequestRoute, dataDir: string, cocalcBaseUrl?: string): void {
  console.log(`\nprocure is running locally (stack ${rt.stackName}, ${rt.region}), up in ${(rt.startupMs / 1000).toFixed(1)} s`);
  const rows: Array<[string, string]> = [
    ['API', `${rt.apiUrl}   (/purchases, /purchases/{id}, /quotes, /licenses: SigV4; GET|POST /approvals/{id})`],
    ['EventBridge', `${rt.awsEndpoint}   (PutEvents, source ${route.source}, detail-type "${EVENTS.requested}")`],
    ['outbox', `${rt.outboxDir}   (mails as .eml files)`],
  ];
  if (rt.sandboxes.cocalcUrl) rows.push(['CoCalc', `${rt.sandboxes.cocalcUrl}   (sandbox)`]);
  else if (cocalcBaseUrl) rows.push(['CoCalc', `${cocalcBaseUrl}   (${COCALC_BASE_URL_ENV})`]);
  if (rt.sandboxes.interserverUrl) rows.push(['InterServer', `${rt.sandboxes.interserverUrl}   (sandbox)`]);
  rows.push(['secrets', `${join(dataDir, 'secrets.json')}   (sandbox credentials and the link signing key)`]);
  rows.push(['runtime.json', `${runtimeFile(dataDir)}   (how the other procure commands find this runtime)`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('');
}

function printResumed(rt: LocalRuntime): void {
  if (rt.resumed.length === 0) return;
  console.log(`${rt.resumed.length} purchase(s) were still running when the runtime last stopped; they go on from the step they had reached`);
  console.log('(one waiting for approval gets a fresh approval mail; its old link no longer works):');
  printTable(
    rt.resumed.map((r) => ({ purchase: r.purchaseId, 'goes on at': r.state, 'expired links': r.expiredApprovals })),
    ['purchase', 'goes on at', 'expired links'],
  );
  console.log('');
}

function printInterrupted(rt: LocalRuntime): void {
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

async function submitSample(rt: LocalRuntime, route: RequestRoute): Promise<void> {
  const requestId = timestampedRequestId('sample');
  const request = sampleCocalcRequest(requestId);
  const result = await rt.putEvents([{ Source: route.source, EventBusName: route.busName, DetailType: EVENTS.requested, Detail: { ...request } }]);
  const entry = result.Entries?.[0];
  if (result.FailedEntryCount || !entry?.EventId) throw new Error(`the sample event was refused: ${entry?.ErrorCode ?? ''} ${entry?.ErrorMessage ?? ''}`);
  const eventId = entry.EventId;
  console.log(`Sample purchase: a CoCalc site license for ${request.requester.name}, sent as an EventBridge event (${eventId}).`);
  console.log(`  requestId ${requestId} -> purchase ${purchaseIdFor(requestId)}; its approval link follows in a few seconds.\n`);
}

/** The mail line and its approval link (from procure's header); everything shown with controls escaped. */
export function printMail(mail: OutboxMail, print: (line: string) => void = (l) => console.log(l)): void {
  print(`\nMail to ${escapeControls(mail.to.join(', '))}: "${escapeControls(mail.subject)}"   (${escapeControls(mail.file)})`);
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

/**
 * The first SIGINT/SIGTERM, and a hook for a later one (an impatient Ctrl+C). A signal within a
 * second of the first is taken as the same one delivered twice (a terminal signals the whole
 * process group, and npm and tsx relay it too), not as impatience.
 */
function stopSignal(): { received: Promise<NodeJS.Signals>; onSecond(fn: () => void): void } {
  let second: (() => void) | undefined;
  let firstAt: number | undefined;
  let resolveFirst!: (s: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((r) => (resolveFirst = r));
  const handler = (signal: NodeJS.Signals): void => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      resolveFirst(signal);
    } else if (Date.now() - firstAt > 1000) {
      second?.();
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return { received, onSecond: (fn) => (second = fn) };
}
