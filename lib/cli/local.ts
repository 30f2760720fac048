import { resolve } from 'node:path';
import { purchaseIdFor, EVENTS } from '../../lambdas/core/workflow';
import {
  DEFAULT_ACCOUNT_CONCURRENCY,
  DEFAULT_DRAIN_MS,
  DEFAULT_LAMBDA_CONCURRENCY,
  startLocalRuntime,
  type DeliveryHold,
  type LocalRuntime,
  type StepEvent,
} from '../local';
import { parseCommandArgs, parsePort, runCommand } from './args';
import { printInterrupted, printMail, printResumed, printRunning, shownPath } from './local-console';
import {
  elsewhereEnv,
  type ElsewhereUrl,
  EVENT_HOLD_ENV,
  LAMBDA_ACCOUNT_CONCURRENCY_ENV,
  LAMBDA_CONCURRENCY_ENV,
  parseDrainSeconds,
  parseEventHold,
  parseLambdaConcurrency,
  vendorsElsewhere,
} from './local-options';
import { requestRouteOf, type RequestRoute } from './request-route';
import { clearRuntimeInfo, DEFAULT_DATA_DIR, writeRuntimeInfo } from './runtime-file';
import { runtimeInfoOf } from './runtime-info';
import { reportExecution, runtimeLog, stepPrinter } from './runtime-report';
import { sampleRequest, sampleWhat, timestampedRequestId } from './sample-requests';
import { VENDORS, type Vendor, vendorLabel } from '../../lambdas/core/vendor-names';
import { elsewhereWiring, sandboxUrlVariable } from '../local/procure/sandboxes';
import { stopSignal } from './stop-signal';

// Split by concern: the flags' and environment's parsing (local-options.ts), what is printed
// (local-console.ts) and the stop signals (stop-signal.ts).

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

const USAGE = `usage: procure local [--port N] [--data-dir DIR] [--no-sample] [--verbose] [--drain-seconds N]

Runs the synthesized CDK app offline (DynamoDB, Step Functions, Lambda, SES outbox, EventBridge,
API Gateway on loopback; the vendors' sandboxes) until Ctrl+C or SIGTERM.
  --port N           API port (default ${DEFAULT_LOCAL_PORT}; 0 = any free port)
  --data-dir DIR     tables, secrets, execution records, outbox and runtime.json (default ${DEFAULT_DATA_DIR})
  --no-sample        do not submit the sample purchase (the first vendor's: ${vendorLabel(VENDORS[0])})
  --verbose          also print the Lambda handlers' logs
  --drain-seconds N  on Ctrl+C / SIGTERM, how long Lambda invocations in flight may take to finish
                     before they are cut off (default ${DEFAULT_DRAIN_MS / 1000}); a second Ctrl+C exits at once
Environment: ${LAMBDA_CONCURRENCY_ENV}=N  execution environments per function at once (default ${DEFAULT_LAMBDA_CONCURRENCY});
  an invocation beyond them is throttled (Lambda.TooManyRequestsException) as on AWS.
  ${LAMBDA_ACCOUNT_CONCURRENCY_ENV}=N  invocations at once over all functions, Lambda's account quota
  (default ${DEFAULT_ACCOUNT_CONCURRENCY}; a new AWS account has far fewer); beyond it, throttled too.
  ${elsewhereEnv('<URL_VARIABLE>')}=URL  a vendor reached at URL (its sandbox in another process, \`procure sandbox <vendor>\`,
  say) instead of its built-in sandbox; its credentials in <data-dir>/secrets.json must be that account's. One a vendor:
  ${VENDORS.map((v) => `${elsewhereEnv(sandboxUrlVariable(v))} (${vendorLabel(v)})`).join(', ')}.
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
    const lambdaAccountConcurrency = parseLambdaConcurrency(process.env[LAMBDA_ACCOUNT_CONCURRENCY_ENV], LAMBDA_ACCOUNT_CONCURRENCY_ENV);
    const elsewhere = vendorsElsewhere(process.env);
    const eventDeliveryHold = parseEventHold(process.env[EVENT_HOLD_ENV]);
    return serve({
      port,
      dataDir,
      sample: !values['no-sample'],
      verbose: values.verbose === true,
      drainMs,
      ...(lambdaConcurrency !== undefined ? { lambdaConcurrency } : {}),
      ...(lambdaAccountConcurrency !== undefined ? { lambdaAccountConcurrency } : {}),
      ...(eventDeliveryHold ? { eventDeliveryHold } : {}),
      elsewhere,
    });
  });
}

interface ServeOptions {
  port: number;
  dataDir: string;
  sample: boolean;
  verbose: boolean;
  drainMs: number;
  lambdaConcurrency?: number;
  lambdaAccountConcurrency?: number;
  eventDeliveryHold?: DeliveryHold;
  /** Vendors reached elsewhere instead of their sandboxes. */
  elsewhere: Partial<Record<Vendor, ElsewhereUrl>>;
}

async function serve(options: ServeOptions): Promise<number> {
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

  console.log(`Starting the procure local runtime (data in ${shownPath(dataDir)}) ...`);
  rt = await startRuntime(options, onEnd);
  const running = rt;
  try {
    const route = requestRouteOf(running);
    writeRuntimeInfo(runtimeInfoOf(running, process.pid), dataDir);
    printRunning(running, route, dataDir, options.elsewhere);
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
    await stopGracefully(running, options.drainMs);
    return 0;
  } finally {
    // Also after a failure past start-up (a refused sample, an unwritable runtime.json): nothing keeps running.
    stopping = true;
    await running.close();
    clearRuntimeInfo(dataDir, process.pid);
  }
}

/** Starts the runtime with the options given; a port in use is told with what to do about it. */
async function startRuntime(options: ServeOptions, onEnd: (step: StepEvent) => void): Promise<LocalRuntime> {
  try {
    return await startLocalRuntime({
      dataDir: options.dataDir,
      port: options.port,
      ...(options.lambdaConcurrency !== undefined ? { lambdaConcurrency: options.lambdaConcurrency } : {}),
      ...(options.lambdaAccountConcurrency !== undefined ? { lambdaAccountConcurrency: options.lambdaAccountConcurrency } : {}),
      ...(options.eventDeliveryHold ? { eventDeliveryHold: options.eventDeliveryHold } : {}),
      configOverrides: Object.assign({}, ...Object.entries(options.elsewhere).map(([vendor, { url }]) => elsewhereWiring(vendor as Vendor, url))),
      onStep: stepPrinter(onEnd),
      onMail: printMail,
      log: runtimeLog(options.verbose),
    });
  } catch (err) {
    const message = (err as Error).message;
    if (/EADDRINUSE/.test(message)) throw new Error(`port ${options.port} is in use: ${message} (pick another with --port N, or --port 0 for any free port)`);
    throw err;
  }
}

/** The graceful stop (LocalRuntime.stop), told as it goes: the drain, what was cut off, what goes on at the next start. */
async function stopGracefully(running: LocalRuntime, drainMs: number): Promise<void> {
  const result = await running.stop({
    drainMs,
    onDrain: (n) =>
      console.log(`  new work is refused; waiting up to ${drainMs / 1000} s for ${n} Lambda invocation(s) in flight to finish (Ctrl+C again to exit at once)`),
  });
  if (result.cutOff > 0) console.log(`  ${result.cutOff} Lambda invocation(s) still running after ${drainMs / 1000} s were cut off.`);
  else if (result.inflight > 0) console.log(`  ${result.inflight} Lambda invocation(s) finished in ${(result.waitedMs / 1000).toFixed(1)} s.`);
  const waiting = running.executions.list({ status: 'RUNNING' });
  const note = waiting.length ? ` ${waiting.length} purchase(s) still running will go on from where they stood at the next start.` : '';
  console.log(`Stopped.${note}`);
}

async function submitSample(rt: LocalRuntime, route: RequestRoute): Promise<void> {
  const requestId = timestampedRequestId('sample');
  // The first registered vendor's sample (its sandbox part, lambdas/vendors/<vendor>/sandbox.ts).
  const vendor = VENDORS[0];
  const request = sampleRequest(vendor, requestId);
  const result = await rt.putEvents([{ Source: route.source, EventBusName: route.busName, DetailType: EVENTS.requested, Detail: { ...request } }]);
  const entry = result.Entries?.[0];
  if (result.FailedEntryCount || !entry?.EventId) throw new Error(`the sample event was refused: ${entry?.ErrorCode ?? ''} ${entry?.ErrorMessage ?? ''}`);
  const eventId = entry.EventId;
  console.log(`Sample purchase: ${sampleWhat(vendor)} for ${request.requester.name}, sent as an EventBridge event (${eventId}).`);
  console.log(`  requestId ${requestId} -> purchase ${purchaseIdFor(requestId)}; its approval link follows in a few seconds.\n`);
}
