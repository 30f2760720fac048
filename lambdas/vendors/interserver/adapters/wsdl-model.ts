import sax from 'sax';
import { INTERSERVER_WSDL } from './interserver-wsdl';

/**
 * The parts of the InterServer WSDL that the gateway needs: each operation's input parts in
 * message order (NuSOAP binds them by position, interserver-soap.md §1) and the complex types
 * (struct fields in order, SOAP-ENC array item types). Parsed once from the bundled WSDL. The
 * sandbox reads its own copy with its own reader (lib/local/sandboxes/interserver/wsdl.ts), so the
 * two sides of the wire are checked against each other rather than sharing one reading.
 */

export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const SOAP_ENC_NS = 'http://schemas.xmlsoap.org/soap/encoding/';
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';

/** A namespace-resolved type reference such as {uri: XSD_NS, local: 'int'}. */
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
  /** Input message parts, in WSDL order: the wire order of the arguments. */
  input: readonly WsdlPart[];
  /** Output message parts (always one, `return`, for this API). */
  output: readonly WsdlPart[];
}

export type WsdlComplexType = { kind: 'struct'; name: string; fields: readonly WsdlPart[] } | { kind: 'array'; name: string; itemType: TypeRef };

export interface WsdlModel {
  targetNamespace: string;
  operations: ReadonlyMap<string, WsdlOperation>;
  /** Complex types of the target namespace, by local name. */
  types: ReadonlyMap<string, WsdlComplexType>;
}

/** Parses a WSDL 1.1 document (rpc style, `type=` parts, xsd:all/sequence structs, SOAP-ENC arrays). */
export function parseWsdl(xml: string): WsdlModel {
  const parser = sax.parser(true, { xmlns: true });
  const messages = new Map<string, WsdlPart[]>();
  const opMessages: Array<{ name: string; input?: string; output?: string }> = [];
  const types = new Map<string, WsdlComplexType>();
  let targetNamespace = '';

  let message: WsdlPart[] | undefined;
  let inPortType = false;
  let operation: { name: string; input?: string; output?: string } | undefined;
  let complexType: { name: string; fields: WsdlPart[]; itemType?: TypeRef } | undefined;
  let failure: Error | undefined;

  const resolve = (qname: string, ns: Record<string, string>): TypeRef => {
    const [prefix, local] = qname.includes(':') ? (qname.split(':', 2) as [string, string]) : ['', qname];
    const uri = ns[prefix];
    if (uri === undefined) throw new Error(`WSDL: unknown namespace prefix in "${qname}"`);
    return { uri, local };
  };
  const attr = (tag: sax.QualifiedTag, local: string): string | undefined => Object.values(tag.attributes).find((a) => a.local === local)?.value;

  parser.onerror = (e) => {
    failure ??= e;
    parser.resume();
  };
  parser.onopentag = (node) => {
    const tag = node as sax.QualifiedTag;
    if (tag.uri === WSDL_NS) {
      if (tag.local === 'definitions') targetNamespace = attr(tag, 'targetNamespace') ?? '';
      else if (tag.local === 'message') {
        message = [];
        messages.set(attr(tag, 'name') ?? '', message);
      } else if (tag.local === 'part' && message) {
        message.push({ name: attr(tag, 'name') ?? '', type: resolve(attr(tag, 'type') ?? '', tag.ns) });
      } else if (tag.local === 'portType') inPortType = true;
      else if (tag.local === 'operation' && inPortType) {
        operation = { name: attr(tag, 'name') ?? '' };
        opMessages.push(operation);
      } else if ((tag.local === 'input' || tag.local === 'output') && operation) {
        operation[tag.local] = resolve(attr(tag, 'message') ?? '', tag.ns).local;
      }
    } else if (tag.uri === XSD_NS) {
      if (tag.local === 'complexType') complexType = { name: attr(tag, 'name') ?? '', fields: [] };
      else if (tag.local === 'element' && complexType) {
        complexType.fields.push({ name: attr(tag, 'name') ?? '', type: resolve(attr(tag, 'type') ?? '', tag.ns) });
      } else if (tag.local === 'attribute' && complexType) {
        // <xsd:attribute ref="SOAP-ENC:arrayType" wsdl:arrayType="tns:license_type[]"/>
        const arrayType = Object.values(tag.attributes).find((a) => a.local === 'arrayType' && a.uri === WSDL_NS);
        if (arrayType) complexType.itemType = resolve(arrayType.value.replace(/\[\]$/, ''), tag.ns);
      }
    }
  };
  // sax reports only the qualified name on close; the elements tracked here have unique local names.
  parser.onclosetag = (name) => {
    const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
    if (local === 'message') message = undefined;
    else if (local === 'portType') inPortType = false;
    else if (local === 'operation') operation = undefined;
    else if (local === 'complexType' && complexType) {
      const { name: typeName, fields, itemType } = complexType;
      types.set(typeName, itemType ? { kind: 'array', name: typeName, itemType } : { kind: 'struct', name: typeName, fields });
      complexType = undefined;
    }
  };
  parser.write(xml).close();
  if (failure) throw new Error(`WSDL is not well-formed XML: ${failure.message.split('\n')[0]}`);

  const operations = new Map<string, WsdlOperation>();
  for (const op of opMessages) {
    const input = messages.get(op.input ?? '');
    const output = messages.get(op.output ?? '');
    if (!input || !output) throw new Error(`WSDL: operation ${op.name} refers to a missing message`);
    operations.set(op.name, { name: op.name, input, output });
  }
  return { targetNamespace, operations, types };
}

let bundled: WsdlModel | undefined;

/** The model of the bundled InterServer WSDL, parsed on first use. */
export function interserverWsdlModel(): WsdlModel {
  bundled ??= parseWsdl(INTERSERVER_WSDL);
  return bundled;
}

/** The operation's definition, or a clear error for a name the WSDL does not define. */
export function wsdlOperation(model: WsdlModel, name: string): WsdlOperation {
  const op = model.operations.get(name);
  if (!op) throw new Error(`operation ${name} is not defined in the InterServer WSDL`);
  return op;
}
