import sax from 'sax';

/**
 * Reads a SOAP 1.1 rpc request the way NuSOAP does (interserver-soap.md §1): the operation is the
 * first element inside Body (its local name), and the arguments are that element's children in
 * document order. Their names are kept only for the record: the server binds them by POSITION.
 * Both untyped children (node-soap) and xsi:type-annotated ones (PHP SoapClient, SOAP::Lite) are
 * accepted; xsi:nil="true" is a null argument.
 */
export interface SoapArgument {
  name: string;
  xsiType: string | undefined;
  /** Text content; null for xsi:nil. */
  value: string | null;
  /** Where the content stands in the request text: [start, end) offsets, escapes and CDATA included. */
  span: readonly [number, number];
}

export interface SoapCall {
  operation: string;
  /** Namespace of the operation element; the response wrapper echoes it (§1, "ns1"). */
  namespace: string;
  args: SoapArgument[];
}

/** The request is not XML or not a SOAP rpc envelope (NuSOAP: "error in msg parsing"). */
export class SoapParseError extends Error {}

const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export function parseSoapRequest(xml: string): SoapCall {
  const parser = sax.parser(true, { xmlns: true });
  const path: string[] = [];
  let call: SoapCall | undefined;
  let current: SoapArgument | undefined;
  let failure: string | undefined;

  parser.onerror = (e) => {
    failure ??= e.message.split('\n')[0] ?? 'invalid XML';
    parser.resume();
  };
  parser.onopentag = (node) => {
    const tag = node as sax.QualifiedTag;
    path.push(tag.local);
    const depth = path.length;
    if (depth === 1 && tag.local !== 'Envelope') failure ??= `root element is ${tag.name}, not a SOAP Envelope`;
    if (depth === 3 && path[1] === 'Body' && !call) call = { operation: tag.local, namespace: tag.uri, args: [] };
    else if (depth === 4 && path[1] === 'Body' && call && call.operation === path[2]) {
      const attrs = Object.values(tag.attributes);
      const nil = attrs.find((a) => a.uri === XSI_NS && a.local === 'nil');
      current = {
        name: tag.local,
        xsiType: attrs.find((a) => a.uri === XSI_NS && a.local === 'type')?.value,
        value: nil && (nil.value === 'true' || nil.value === '1') ? null : '',
        // sax's position is just past the start tag's '>' here.
        span: [parser.position, parser.position],
      };
      call.args.push(current);
    }
  };
  const onText = (t: string) => {
    if (current && current.value !== null) current.value += t;
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onclosetag = () => {
    if (path.length === 4 && current) {
      // startTagPosition is one past the end tag's '<'; a self-closing element has no content.
      current.span = [current.span[0], Math.max(current.span[0], parser.startTagPosition - 1)];
      current = undefined;
    }
    path.pop();
  };

  parser.write(xml).close();
  if (failure) throw new SoapParseError(failure);
  if (!call) throw new SoapParseError('no operation element in the SOAP Body');
  return call;
}

/** `raw` with the content of `arg` replaced by a placeholder: a secret kept out of a recording. */
export function hideArgument(raw: string, arg: SoapArgument | undefined, placeholder = '[REDACTED]'): string {
  if (!arg || arg.span[1] <= arg.span[0]) return raw;
  return raw.slice(0, arg.span[0]) + placeholder + raw.slice(arg.span[1]);
}
