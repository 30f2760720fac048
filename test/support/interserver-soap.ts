import type { InterserverSandbox } from '../../lib/local/sandboxes/interserver';

/** One SOAP argument: element name, value, and its xsi:type (xsd:string unless given). */
export type SoapArg = [name: string, value: string, xsiType?: string];

/** A PHP SoapClient-style request: SOAP-ENV prefix, ns1 operation element, xsi:type on every argument. */
export function phpEnvelope(op: string, args: SoapArg[]): string {
  const body = args.map(([n, v, t]) => `<${n} xsi:type="${t ?? 'xsd:string'}">${v}</${n}>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:ns1="urn:myapi" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<SOAP-ENV:Body><ns1:${op}>${body}</ns1:${op}></SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

/** POSTs a SOAP request to the sandbox over HTTP, as a client on the wire would (no node-soap). */
export async function postSoap(s: InterserverSandbox, xml: string, contentType = 'text/xml; charset=utf-8') {
  const res = await fetch(s.endpoint, { method: 'POST', headers: { 'content-type': contentType, SOAPAction: '"urn:myapi#x"' }, body: xml });
  return { status: res.status, contentType: res.headers.get('content-type'), xml: await res.text() };
}
