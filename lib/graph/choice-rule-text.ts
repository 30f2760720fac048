/**
 * A Choice rule as a short condition: `$.quote.vendor == "cocalc"`, `$.cart.waitUntil is present`,
 * `not($.x > 3)`, `$.a == 1 and $.b == 2`. Comparators without a symbol keep their ASL name.
 */
const SYMBOLS: Record<string, string> = {
  Equals: '==',
  LessThan: '<',
  GreaterThan: '>',
  LessThanEquals: '<=',
  GreaterThanEquals: '>=',
  Matches: 'matches',
};

const TYPE_TESTS: Record<string, string> = {
  IsPresent: 'present',
  IsNull: 'null',
  IsBoolean: 'a boolean',
  IsNumeric: 'a number',
  IsString: 'a string',
  IsTimestamp: 'a timestamp',
};

type Rule = Record<string, unknown>;

/**
 * The rules of one Choice as labels. An `And` conjunct that every rule of the Choice shares is
 * written last, so the part that tells the edges apart comes first and survives a short label:
 * `$.quote.vendor == "cocalc" and $.approval.decision == "APPROVED"`. (And is commutative.)
 */
export function choiceRuleTexts(rules: readonly Rule[]): string[] {
  const conjuncts = rules.map((r) => (Array.isArray(r.And) ? (r.And as Rule[]).map(choiceRuleText) : [choiceRuleText(r)]));
  const shared = new Set(conjuncts[0]?.filter((c) => conjuncts.every((cs) => cs.includes(c))) ?? []);
  // A rule without And has one part, and a lone rule shares all of its own: both keep their order.
  return conjuncts.map((parts) => [...parts.filter((c) => !shared.has(c)), ...parts.filter((c) => shared.has(c))].join(' and '));
}

export function choiceRuleText(rule: Rule): string {
  if (Array.isArray(rule.And)) return (rule.And as Rule[]).map(choiceRuleText).join(' and ');
  if (Array.isArray(rule.Or)) return (rule.Or as Rule[]).map(choiceRuleText).join(' or ');
  if (rule.Not && typeof rule.Not === 'object') return `not(${choiceRuleText(rule.Not as Rule)})`;
  if (typeof rule.Condition === 'string') return rule.Condition; // JSONata
  const variable = typeof rule.Variable === 'string' ? rule.Variable : '?';
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    if (key in TYPE_TESTS) return `${variable} is ${value === false ? 'not ' : ''}${TYPE_TESTS[key]}`;
    const m = /^(String|Numeric|Boolean|Timestamp)?(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/.exec(key);
    if (m) return `${variable} ${SYMBOLS[m[2]!]} ${m[3] ? String(value) : JSON.stringify(value)}`;
    return `${variable} ${key} ${JSON.stringify(value)}`;
  }
  return variable;
}
