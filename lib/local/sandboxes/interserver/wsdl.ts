import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sax from 'sax';

/**
 * The sandbox's own copy of InterServer's license WSDL and its own reading of it, independent of
 * procure's adapter: `interserver-licenses.wsdl` next to this file is a verbatim copy of the vendor
 * notes' reconstructed WSDL (shared/vendors/interserver-licenses.wsdl, interserver-soap.md §3;
 * test/unit/interserver-sandbox-wsdl.test.ts keeps it verbatim). The sandbox serves it at `?wsdl`,
 * binds arguments by its message parts' order (NuSOAP binds by position, §1) and serializes
 * answers by its complex types (§2 "Complex types").
 */

export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const SOAP_ENC_NS = 'http://schemas.xmlsoap.org/soap/encoding/';
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';

/** A namespace-resolved QName such as {uri: XSD_NS, local: 'int'}. */
export interface TypeRef {
  uri: string;
  local: string;
}

export interface WsdlPart {
  name: string;
  type: TypeRef;
}

export interface WsdlOperation {
  name: string;
  /** Input message parts in WSDL order: the wire order of the arguments. */
  input: readonly WsdlPart[];
  output: readonly WsdlPart[];
}

export type WsdlType = { kind: 'struct'; name: string; fields: readonly WsdlPart[] } | { kind: 'array'; name: string; itemType: TypeRef };

export interface WsdlModel {
  targetNamespace: string;
  operations: ReadonlyMap<string, WsdlOperation>;
  /** Complex types of the target namespace, by local name. */
  types: ReadonlyMap<string, WsdlType>;
}

/** An element of the WSDL document, with the namespace bindings in scope. */
interface Element {
  uri: string;
  local: string;
  attributes: readonly sax.QualifiedAttribute[];
  /** Prefix -> URI; sax chains a child's bindings to its parent's by prototype. */
  ns: Record<string, string>;
  children: Element[];
}

let text: string | undefined;
let model: WsdlModel | undefined;

/** The WSDL text the sandbox serves (its soap:address still the real host's). */
export function sandboxWsdlText(): string {
  text ??= readFileSync(join(__dirname, 'interserver-licenses.wsdl'), 'utf8');
  return text;
}

/** The sandbox's model of its WSDL, read on first use. */
export function sandboxWsdlModel(): WsdlModel {
  model ??= readWsdl(sandboxWsdlText());
  return model;
}

/** Reads operations (from the portType) and complex types (from the schema) of a WSDL 1.1 text. */
export function readWsdl(xml: string): WsdlModel {
  const root = parseTree(xml);
  const wsdlChildren = (e: Element, local: string) => e.children.filter((c) => c.uri === WSDL_NS && c.local === local);
  const messages = new Map(
    wsdlChildren(root, 'message').map((m) => [
      attribute(m, 'name'),
      wsdlChildren(m, 'part').map((p) => ({ name: attribute(p, 'name'), type: qname(p, 'type') })),
    ]),
  );
  const messageOf = (op: Element, direction: 'input' | 'output') => {
    const ref = wsdlChildren(op, direction)[0];
    const parts = ref && messages.get(qname(ref, 'message').local);
    if (!parts) throw new Error(`WSDL: operation ${attribute(op, 'name')} has no ${direction} message`);
    return parts;
  };
  const operations = new Map<string, WsdlOperation>();
  for (const op of wsdlChildren(root, 'portType').flatMap((pt) => wsdlChildren(pt, 'operation'))) {
    const name = attribute(op, 'name');
    operations.set(name, { name, input: messageOf(op, 'input'), output: messageOf(op, 'output') });
  }
  const types = new Map<string, WsdlType>();
  for (const ct of descendants(root).filter((e) => e.uri === XSD_NS && e.local === 'complexType')) {
    types.set(attribute(ct, 'name'), complexType(ct));
  }
  return { targetNamespace: attribute(root, 'targetNamespace'), operations, types };
}

/**
 * A SOAP-ENC array (`<xsd:attribute ref="SOAP-ENC:arrayType" wsdl:arrayType="tns:T[]"/>` in a
 * restriction) or a struct (its `xsd:element`s, in order).
 */
function complexType(ct: Element): WsdlType {
  const name = attribute(ct, 'name');
  const inner = descendants(ct);
  for (const e of inner) {
    const arrayType = e.attributes.find((a) => a.uri === WSDL_NS && a.local === 'arrayType');
    if (arrayType) return { kind: 'array', name, itemType: resolve(arrayType.value.replace(/\[\]$/, ''), e.ns) };
  }
  const fields = inner.filter((e) => e.uri === XSD_NS && e.local === 'element').map((e) => ({ name: attribute(e, 'name'), type: qname(e, 'type') }));
  return { kind: 'struct', name, fields };
}

function parseTree(xml: string): Element {
  const parser = sax.parser(true, { xmlns: true });
  const stack: Element[] = [];
  let root: Element | undefined;
  let failure: string | undefined;
  parser.onerror = (e) => {
    failure ??= e.message.split('\n')[0];
    parser.resume();
  };
  parser.onopentag = (node) => {
    const tag = node as sax.QualifiedTag;
    const element: Element = { uri: tag.uri, local: tag.local, attributes: Object.values(tag.attributes), ns: tag.ns, children: [] };
    stack.at(-1)?.children.push(element);
    root ??= element;
    stack.push(element);
  };
  parser.onclosetag = () => void stack.pop();
  parser.write(xml).close();
  if (failure !== undefined || !root) throw new Error(`WSDL is not well-formed XML: ${failure ?? 'no root element'}`);
  return root;
}

function descendants(e: Element): Element[] {
  return e.children.flatMap((c) => [c, ...descendants(c)]);
}

/** An unqualified attribute's value ('' when absent, as NuSOAP's own WSDL reader treats it). */
function attribute(e: Element, local: string): string {
  return e.attributes.find((a) => a.local === local && a.uri === '')?.value ?? '';
}

function qname(e: Element, local: string): TypeRef {
  return resolve(attribute(e, local), e.ns);
}

function resolve(name: string, ns: Record<string, string>): TypeRef {
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const uri = ns[prefix];
  if (uri === undefined) throw new Error(`WSDL: unknown namespace prefix in "${name}"`);
  return { uri, local: name.slice(colon + 1) };
}
