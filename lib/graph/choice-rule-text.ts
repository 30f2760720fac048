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
