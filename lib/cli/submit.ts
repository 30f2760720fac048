import { readFileSync } from 'node:fs';
import { intakeIssues, purchaseRequestSchema } from '../../lambdas/core/purchase-request';
import { describeIssues } from '../../lambdas/core/zod';
import { EVENTS, purchaseIdFor } from '../../lambdas/core/workflow';
import { expectPositionals, parseCommandArgs, runCommand, TARGET_OPTIONS, TARGET_USAGE, UsageError } from './args';
import { ApiError, ProcureApi, resolveApiTarget } from './api-client';
import { putPurchaseEvent } from './events-client';
import { emit } from './output';
import { sampleRequest } from './sample-requests';
import { VENDORS } from '../../lambdas/core/vendor-names';

/**
 * `procure submit <file|->`: validates a purchase request locally (the same zod schema the
 * handlers use), then sends it through POST /purchases, or with --event as a "License Purchase
 * Requested" EventBridge event. An invalid request is never sent.
 */
export const summary = 'validate a purchase request and send it';

const USAGE = `usage: procure submit <file|-> [--event [--source S] [--bus NAME]] [--api URL] [--data-dir DIR] [--json]

Validates the purchase request JSON in <file> (or stdin for -) and submits it. Nothing is sent
when it is invalid. Submitting the same requestId again returns the existing purchase.
  --event          put it on EventBridge ("${EVENTS.requested}") instead of POST /purchases:
                   the local runtime's events endpoint, or with --api a deployment's region
  --source S       the event's source (default: the local runtime's rule, else ${EVENTS.defaultRequestSource})
  --bus NAME       the event bus (default: default)
${TARGET_USAGE}

Example requests, one a vendor (the samples \`procure local\` and \`procure demo\` submit):
${VENDORS.map((vendor) => `  ${JSON.stringify(sampleRequest(vendor, `example-${vendor}-1`))}`).join('\n')}`;

/** Thrown for a request that fails validation: every issue, and nothing sent. */
export class InvalidRequestFileError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`${source} is not a valid purchase request (nothing was sent):\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'InvalidRequestFileError';
  }
}

/** The text of `file`, or of stdin for `-`, and what to call it in messages. */
export function readInput(file: string): { text: string; name: string } {
  if (file === '-') {
    try {
      return { text: readFileSync(0, 'utf8'), name: 'stdin' };
    } catch (err) {
      throw new Error(`cannot read stdin: ${(err as Error).message}`);
    }
  }
  try {
    return { text: readFileSync(file, 'utf8'), name: file };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

/** The request body, validated; throws InvalidRequestFileError listing every issue. */
export function readPurchaseRequest(file: string): { body: Record<string, unknown>; requestId: string; vendor: string } {
  const { text, name } = readInput(file);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new InvalidRequestFileError(name, [`not JSON: ${(err as Error).message}`]);
  }
  const parsed = purchaseRequestSchema.safeParse(body);
  if (!parsed.success) throw new InvalidRequestFileError(name, describeIssues(parsed.error));
  // What intake refuses for a new request at the time it arrives (a CoCalc range already ended).
  const late = intakeIssues(parsed.data, new Date());
  if (late.length) throw new InvalidRequestFileError(name, late);
  return { body: body as Record<string, unknown>, requestId: parsed.data.requestId, vendor: parsed.data.vendor };
}

export async function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      ...TARGET_OPTIONS,
      event: { type: 'boolean' },
      source: { type: 'string' },
      bus: { type: 'string' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [file] = expectPositionals(positionals, ['file|-']);
    if (!values.event && (values.source !== undefined || values.bus !== undefined)) throw new UsageError('--source and --bus go with --event');
    const json = values.json === true;
    const request = readPurchaseRequest(file!);
    const purchaseId = purchaseIdFor(request.requestId);
    const target = resolveApiTarget({ api: values.api, dataDir: values['data-dir'] });

    if (values.event) {
      // A loopback --api names no EventBridge endpoint; never let a local event go to AWS instead.
      if (target.local && !target.eventsEndpoint) {
        throw new UsageError(
          "--event with a local --api needs the runtime's EventBridge endpoint: drop --api (the runtime is found through runtime.json, see --data-dir)",
        );
      }
      const source = values.source ?? target.requestSource ?? EVENTS.defaultRequestSource;
      const eventBusName = values.bus ?? target.requestBus ?? 'default';
      const { eventId } = await putPurchaseEvent(
        target.local
          ? { region: target.region, credentials: target.credentials, ...(target.eventsEndpoint ? { endpoint: target.eventsEndpoint } : {}) }
          : { region: target.region },
        request.body,
        { source, eventBusName },
      );
      emit(json, { eventId, source, eventBusName, requestId: request.requestId, purchaseId }, () => {
        console.log(`event ${eventId} put on bus ${eventBusName} (source ${source}, detail-type "${EVENTS.requested}")`);
        console.log(`purchase ${purchaseId} (requestId ${request.requestId}, ${request.vendor}); follow it with: npx procure status ${purchaseId}`);
      });
      return 0;
    }

    const api = new ProcureApi(target);
    try {
      const result = await api.submitPurchase(request.body);
      emit(json, result, () => {
        const what = result.existing
          ? `already submitted (requestId ${request.requestId}); nothing new was created`
          : `submitted (requestId ${request.requestId}, ${request.vendor})`;
        console.log(`purchase ${result.purchaseId}: ${result.status}, ${what}`);
        console.log(`follow it with: npx procure status ${result.purchaseId}`);
      });
      return 0;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 409)) {
        emit(json, { httpStatus: err.status, ...(err.body as object) }, () => {
          console.error(`error: ${err.message}`);
          for (const r of err.reasons) console.error(`  - ${r}`);
        });
        return 1;
      }
      throw err;
    }
  });
}
