import { jsonPath } from './deep-json';
import type { BusEvent } from './event-entries';
import type { RuleTarget } from './event-rules';

/**
 * The input a rule target receives for an event, as EventBridge builds it: the target's constant
 * Input, its InputPath, or its InputTransformer (InputPathsMap and InputTemplate); without any, the
 * event envelope. The bus's own `busName` is never part of it.
 */

/** The target's input for `event`; throws when a constant Input is not JSON. */
export function targetInput(target: RuleTarget, event: BusEvent): unknown {
  const { busName: _bus, ...envelope } = event;
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) return jsonPath(target.inputPath, envelope);
  if (target.inputTransformer) {
    const vars: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(target.inputTransformer.InputPathsMap ?? {})) vars[k] = jsonPath(p, envelope);
    const text = target.inputTransformer.InputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, k: string) => {
      if (k === 'aws.events.event.json') return JSON.stringify(envelope);
      if (!(k in vars)) return whole;
      const v = vars[k];
      return typeof v === 'string' ? v : JSON.stringify(v ?? null);
    });
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return envelope;
}
