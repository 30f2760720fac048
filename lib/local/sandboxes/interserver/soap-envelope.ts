import { SOAP_ENC_NS, XSD_NS, type TypeRef, type WsdlModel } from './wsdl';

/**
 * The one writer of NuSOAP-style response envelopes (interserver-soap.md §4; NuSOAP
 * serialize_return / serializeEnvelope / serializeType): `SOAP-ENV` prefix, ISO-8859-1 declared,
 * a `<ns1:{op}Response>` wrapper in the request's namespace, `xsi:type` on every value, structs
 * with their fields in WSDL order, SOAP-ENC arrays with `arrayType="tns:T[n]"` and `<item>`
 * children. Values are serialized by the WSDL type of the output part, as NuSOAP does, so the
 * operations return plain rows.
 */

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="ISO-8859-1"?><SOAP-ENV:Envelope SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"' +
  ' xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"' +
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"' +
  ' xmlns:tns="urn:myapi"><SOAP-ENV:Body>';
const ENVELOPE_CLOSE = '</SOAP-ENV:Body></SOAP-ENV:Envelope>';

/** A successful response: `value` serialized as the operation's output part. */
export function responseEnvelope(model: WsdlModel, operation: string, namespace: string, value: unknown): string {
  const op = model.operations.get(operation);
  if (!op) throw new Error(`no WSDL operation ${operation}`);
  const parts = op.output.map((p) => serializeValue(model, p.name, p.type, value)).join('');
  const ns = namespace || model.targetNamespace;
  return `${ENVELOPE_OPEN}<ns1:${operation}Response xmlns:ns1="${escapeXml(ns)}">${parts}</ns1:${operation}Response>${ENVELOPE_CLOSE}`;
}

/** A NuSOAP fault (nusoap_fault::serialize); sent with HTTP 500. */
export function faultEnvelope(code: 'SOAP-ENV:Client' | 'SOAP-ENV:Server', faultstring: string): string {
  return (
    `${ENVELOPE_OPEN}<SOAP-ENV:Fault><faultcode xsi:type="xsd:string">${code}</faultcode>` +
    `<faultactor xsi:type="xsd:string"></faultactor><faultstring xsi:type="xsd:string">${escapeXml(faultstring)}</faultstring>` +
    `<detail xsi:type="xsd:string"></detail></SOAP-ENV:Fault>${ENVELOPE_CLOSE}`
  );
}

function serializeValue(model: WsdlModel, name: string, type: TypeRef, value: unknown): string {
  if (type.uri === XSD_NS) return `<${name} xsi:type="xsd:${type.local}">${scalarText(type.local, value)}</${name}>`;
  const complex = type.uri === model.targetNamespace ? model.types.get(type.local) : undefined;
  if (!complex) throw new Error(`cannot serialize type {${type.uri}}${type.local}`);
  if (complex.kind === 'array') {
    // PHP false / null for an array serializes as a 0-length array (§9).
    const items = Array.isArray(value) ? value : [];
    const body = items.map((item) => serializeValue(model, 'item', complex.itemType, item)).join('');
    return `<${name} xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="${prefixed(model, complex.itemType)}[${items.length}]">${body}</${name}>`;
  }
  const open = `<${name} xsi:type="tns:${type.local}">`;
  // A struct answered with PHP false/null: an empty typed element (what an unknown row looks like).
  if (typeof value !== 'object' || value === null) return `${open}</${name}>`;
  const record = value as Record<string, unknown>;
  return `${open}${complex.fields.map((f) => serializeValue(model, f.name, f.type, record[f.name])).join('')}</${name}>`;
}

function prefixed(model: WsdlModel, type: TypeRef): string {
  if (type.uri === XSD_NS) return `xsd:${type.local}`;
  if (type.uri === SOAP_ENC_NS) return `SOAP-ENC:${type.local}`;
  if (type.uri === model.targetNamespace) return `tns:${type.local}`;
  throw new Error(`no prefix for namespace ${type.uri}`);
}

/** PHP-like text of a scalar: '' for null/''/undefined, true/false for booleans, numbers as PHP prints them (3, 34.95). */
function scalarText(xsdType: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (xsdType === 'boolean') return value === true || value === 1 || value === 'true' ? 'true' : 'false';
  if (typeof value === 'number') return String(xsdType === 'int' ? Math.trunc(value) : value);
  return escapeXml(String(value));
}

/**
 * Escapes markup and writes every non-ASCII character as a character reference. The envelope
 * declares ISO-8859-1 (NuSOAP's default, §1); references keep the bytes pure ASCII, which every
 * client decodes identically whatever charset it assumes (the live charset is UNVERIFIED, §9).
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']|[^\x20-\x7e\t\n\r]/gu, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#${c.codePointAt(0) ?? 63};`;
    }
  });
}
