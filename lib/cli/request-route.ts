import { EVENTS } from '../../lambdas/core/workflow';
import type { LocalRuntime } from '../local';

/**
 * Where "License Purchase Requested" events must go for the synthesized rule to match: its source
 * and bus, read from the template's rule (the source is configurable, `requestEventSource`).
 */
export interface RequestRoute {
  source: string;
  busName: string;
  /** The rule's name; absent when the template has no such rule. */
  ruleName?: string;
}

export function requestRouteOf(rt: Pick<LocalRuntime, 'eventRules'>): RequestRoute {
  for (const rule of rt.eventRules) {
    const detailTypes = rule.pattern['detail-type'];
    if (!Array.isArray(detailTypes) || !detailTypes.includes(EVENTS.requested)) continue;
    const sources = rule.pattern.source;
    const source = Array.isArray(sources) && typeof sources[0] === 'string' ? sources[0] : EVENTS.defaultRequestSource;
    return { source, busName: rule.busName, ruleName: rule.name };
  }
  return { source: EVENTS.defaultRequestSource, busName: 'default' };
}
