/**
 * Turns what node-soap 1.13 returns for NuSOAP responses into plain JSON-like values
 * (interserver-soap.md §7.1-2):
 * - every value carries xsi:type, so it arrives as `{attributes, $value}`: take `$value`;
 * - an empty element has no `$value` key: it becomes `''` (a blank sid, an error's empty `invoice`);
 * - a SOAP-ENC array arrives as `{attributes: {...arrayType...}, item}` where `item` is an object
 *   for one element, an array for several and absent for none: it always becomes an array;
 * - `attributes` is dropped everywhere.
 * Numbers are left as node-soap typed them; the response schemas coerce numeric strings, because a
 * server that omits xsi:type (or sends "3.00", §8) yields strings.
 */
export type Unwrapped = string | number | boolean | null | Unwrapped[] | { [key: string]: Unwrapped };

export function unwrapSoap(value: unknown): Unwrapped {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(unwrapSoap);
  if (typeof value !== 'object') {
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
  }
  const record = value as Record<string, unknown>;
  if ('$value' in record) return unwrapSoap(record.$value);
  const attributes = isRecord(record.attributes) ? record.attributes : undefined;
  if ('item' in record || (attributes && isArrayType(attributes))) {
    const item = record.item;
    if (item === undefined) return [];
    return Array.isArray(item) ? item.map(unwrapSoap) : [unwrapSoap(item)];
  }
  const fields = Object.entries(record).filter(([k]) => k !== 'attributes');
  if (fields.length === 0) return '';
  return Object.fromEntries(fields.map(([k, v]) => [k, unwrapSoap(v)]));
}

/** `xsi:type="SOAP-ENC:Array"` or any `*:arrayType` attribute, whatever prefixes the server chose. */
function isArrayType(attributes: Record<string, unknown>): boolean {
  return Object.entries(attributes).some(
    ([k, v]) => localName(k) === 'arrayType' || (localName(k) === 'type' && typeof v === 'string' && localName(v) === 'Array'),
  );
}

function localName(qname: string): string {
  return qname.slice(qname.indexOf(':') + 1);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
