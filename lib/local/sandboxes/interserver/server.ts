import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, MAX_REQUEST_BYTES, readBody as readCappedBody, readBodyText as readBody } from '../../http-body';
import type { FaultInjector } from '../faults';
import { convertArgs, OPERATIONS, runOperation } from './operations';
import { faultEnvelope, responseEnvelope } from './soap-envelope';
import { hideArgument, parseSoapRequest, SoapParseError, type SoapCall } from './soap-request';
import type { InterserverSandboxState } from './state';
import { sandboxWsdlModel, sandboxWsdlText } from './wsdl';

/*
 * HTTP handling of the InterServer sandbox, on plain node:http rather than soap.listen: node-soap's
 * server misencodes SOAP-ENC arrays, namespace-qualifies rpc parts, sends faults with HTTP 200 and
 * hands typed arguments to handlers as wrappers (interserver-soap.md §7, toolchain.md §6.6-8), so
 * matching NuSOAP would take a raw-XML workaround in every operation. Owning the wire format makes
 * the sandbox answer byte-for-byte like NuSOAP to ANY client (PHP SoapClient, SOAP::Lite, suds,
 * node-soap), which is what makes it a fair test of a client.
 */

/** The SOAP endpoint path, as on the real host (`/api.php`, WSDL at `?wsdl`). */
export const SOAP_PATH = '/api.php';

const NUSOAP_HEADERS = {
  Server: 'NuSOAP Server v0.9.5',
  'X-SOAP-Server': 'NuSOAP/0.9.5 (1.123)',
  'Content-Type': 'text/xml; charset=ISO-8859-1',
};

/** What the request handler needs from the running sandbox. */
export interface SandboxContext {
  state: InterserverSandboxState;
  faults: FaultInjector;
  /** The SOAP endpoint URL written into the served WSDL's soap:address. */
  endpoint: string;
}

/**
 * Routes one request: admin endpoints, `GET ?wsdl`, then a SOAP POST (parse, dispatch on the Body
 * element, fault injection around the operation, NuSOAP-style answer).
 */
export async function handleRequest(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  if (await ctx.faults.handleAdmin(req, res, url.pathname)) return;
  if (url.pathname === '/__admin/account') return handleAccountAdmin(ctx, req, res);
  if (url.pathname === '/__admin/state' && req.method === 'GET') return sendJson(res, 200, stateSnapshot(ctx.state));
  if (url.pathname !== SOAP_PATH) return sendJson(res, 404, { error: 'not found' });
  if (req.method === 'GET' && url.searchParams.has('wsdl')) return send(res, 200, servedWsdl(ctx.endpoint));
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST a SOAP request, or GET ?wsdl' });

  // NuSOAP parseRequest requires text/xml (§1). The fault text for it is the sandbox's choice.
  if (!(req.headers['content-type'] ?? '').toLowerCase().includes('text/xml')) {
    await readBody(req);
    return send(res, 500, faultEnvelope('SOAP-ENV:Client', 'Request not of type text/xml'));
  }
  const raw = await readSoapText(req);
  let call: SoapCall;
  try {
    call = parseSoapRequest(raw);
  } catch (e) {
    if (!(e instanceof SoapParseError)) throw e;
    return send(res, 500, faultEnvelope('SOAP-ENV:Client', `error in msg parsing:\n${e.message}`));
  }
  const model = sandboxWsdlModel();
  const op = model.operations.get(call.operation);
  if (!op || !OPERATIONS.has(call.operation)) {
    return send(res, 500, faultEnvelope('SOAP-ENV:Client', `Operation '${call.operation}' is not defined in the WSDL for this service`));
  }
  const args = convertArgs(op, call.args);
  ctx.state.recordRequest({
    operation: call.operation,
    argNames: call.args.map((a) => a.name),
    // The login's second argument is the password: hidden where it stands, however it is escaped.
    raw: call.operation === 'api_login' ? hideArgument(raw, call.args[1]) : raw,
  });

  const decision = await ctx.faults.before(call.operation, res);
  if (decision.kind === 'handled') return;
  if (decision.kind === 'forced-error') {
    // Status-struct operations answer vendor errors as status/status_text (§5); others can only fault.
    const returnsStatus = isStatusStruct(op.output[0]?.type.local);
    return returnsStatus
      ? send(res, 200, responseEnvelope(model, call.operation, call.namespace, { status: 'error', status_text: decision.message }))
      : send(res, 500, faultEnvelope('SOAP-ENV:Server', decision.message));
  }

  const value = runOperation(call.operation, { state: ctx.state, args });
  const body = responseEnvelope(model, call.operation, call.namespace, value);
  // applyThenDrop: the operation above took effect; the fault may now swallow its response.
  if (await ctx.faults.afterApplied(call.operation, res, () => send(res, 200, body))) return;
  send(res, 200, body);
}

function isStatusStruct(typeName: string | undefined): boolean {
  const t = typeName === undefined ? undefined : sandboxWsdlModel().types.get(typeName);
  return t?.kind === 'struct' && t.fields.some((f) => f.name === 'status') && t.fields.some((f) => f.name === 'status_text');
}

/** The sandbox's WSDL with soap:address pointing at this sandbox. */
function servedWsdl(endpoint: string): string {
  return sandboxWsdlText().replace(/(<soap:address\s+location=")[^"]*(")/, `$1${endpoint}$2`);
}

/** POST {prepay?, locked?} changes the account at run time; GET shows it (never the password). */
async function handleAccountAdmin(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const account = ctx.state.account;
  if (req.method === 'POST') {
    let patch: { prepay?: unknown; locked?: unknown };
    try {
      patch = JSON.parse((await readBody(req)) || '{}') as typeof patch;
    } catch {
      return sendJson(res, 400, { error: 'body must be JSON' });
    }
    if (patch.prepay !== undefined && (typeof patch.prepay !== 'number' || !(patch.prepay >= 0))) {
      return sendJson(res, 400, { error: 'prepay must be a number >= 0' });
    }
    if (patch.locked !== undefined && typeof patch.locked !== 'boolean') return sendJson(res, 400, { error: 'locked must be a boolean' });
    if (patch.prepay !== undefined) account.prepay = patch.prepay as number;
    if (patch.locked !== undefined) account.locked = patch.locked as boolean;
  }
  sendJson(res, 200, publicAccount(ctx.state));
}

function publicAccount(state: InterserverSandboxState) {
  const { custid, username, prepay, locked } = state.account;
  return { custid, username, prepay, locked };
}

function stateSnapshot(state: InterserverSandboxState) {
  return { account: publicAccount(state), licenses: state.licenses, invoices: state.invoices, repeatInvoices: state.repeatInvoices };
}

/** Decodes the body by the charset of Content-Type or the XML declaration (UTF-8 when neither says). */
async function readSoapText(req: IncomingMessage): Promise<string> {
  const bytes = await readCappedBody(req, MAX_REQUEST_BYTES);
  if (!bytes) throw new BodyTooLargeError(MAX_REQUEST_BYTES);
  const declared =
    /charset\s*=\s*"?([\w-]+)/i.exec(req.headers['content-type'] ?? '')?.[1] ??
    /^<\?xml[^>]*encoding\s*=\s*["']([\w-]+)/i.exec(bytes.subarray(0, 200).toString('latin1'))?.[1] ??
    'utf-8';
  return bytes.toString(/^(iso-8859-1|latin1|us-ascii)$/i.test(declared) ? 'latin1' : 'utf8');
}

function send(res: ServerResponse, status: number, xml: string): void {
  // Pure ASCII (escapeXml writes character references), so latin1 bytes match the declaration.
  const body = Buffer.from(xml, 'latin1');
  res.writeHead(status, { ...NUSOAP_HEADERS, 'Content-Length': body.length }).end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
