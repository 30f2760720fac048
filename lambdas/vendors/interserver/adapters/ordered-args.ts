import type { WsdlOperation } from './wsdl-model';

/**
 * The one place that turns named arguments into what node-soap sends. node-soap serializes rpc
 * arguments in object-key order, not WSDL order (interserver-soap.md §7.4), and NuSOAP binds them
 * by position, ignoring names (§1): a `{coupon, type, ...}` object would buy the wrong thing. So the
 * object is rebuilt with its keys in the WSDL's input-part order, and a missing or unexpected name
 * is a programming error caught here rather than a silently shifted argument on the wire.
 *
 * Returns `null` for an operation with an empty input message: node-soap rejects `{}` there with
 * "invalid message definition for rpc style binding" (§7.3).
 */
export function orderArgs(op: WsdlOperation, values: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
  const expected = op.input.map((p) => p.name);
  const unexpected = Object.keys(values).filter((k) => !expected.includes(k));
  if (unexpected.length > 0) throw new Error(`${op.name}: unexpected argument(s) ${unexpected.join(', ')}`);
  if (expected.length === 0) return null;
  const ordered: Record<string, unknown> = {};
  for (const name of expected) {
    if (values[name] === undefined) throw new Error(`${op.name}: missing argument ${name}`);
    ordered[name] = values[name];
  }
  return ordered;
}
