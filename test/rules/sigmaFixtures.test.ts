import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Runs a Sigma rule's detection over its positive and negative fixtures (test/rules/fixtures/<rule-id>/).
 * A small evaluator of the Sigma subset the TokenWatch rules use: field modifiers contains / startswith /
 * endswith (case-insensitive, as Sigma matches by default), a list value is OR, several fields in one
 * selection are AND, and the condition is built from selection names, and / or / not and parentheses.
 */
type Event = Readonly<Record<string, string>>;
type Selection = Readonly<Record<string, string | readonly string[]>>;

function fieldMatches(event: Event, key: string, expected: string | readonly string[]): boolean {
  const [field = '', modifier = ''] = key.split('|');
  const actual = (event[field] ?? '').toLowerCase();
  const values = (Array.isArray(expected) ? expected : [expected]).map((v) => String(v).toLowerCase());
  return values.some((v) =>
    modifier === 'contains' ? actual.includes(v) : modifier === 'startswith' ? actual.startsWith(v) : modifier === 'endswith' ? actual.endsWith(v) : actual === v,
  );
}

function selectionMatches(event: Event, selection: Selection): boolean {
  return Object.entries(selection).every(([key, value]) => fieldMatches(event, key, value));
}

/** Recursive descent over `a and not (b or c)`. */
export function evaluateCondition(condition: string, selections: Readonly<Record<string, Selection>>, event: Event): boolean {
  const tokens = condition.match(/\(|\)|[A-Za-z_]\w*/g) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const orExpr = (): boolean => {
    let value = andExpr();
    while (peek() === 'or') {
      at++;
      const right = andExpr();
      value = value || right;
    }
    return value;
  };
  const andExpr = (): boolean => {
    let value = notExpr();
    while (peek() === 'and') {
      at++;
      const right = notExpr();
      value = value && right;
    }
    return value;
  };
  const notExpr = (): boolean => {
    if (peek() === 'not') {
      at++;
      return !notExpr();
    }
    const token = tokens[at++];
    if (token === '(') {
      const value = orExpr();
      if (tokens[at++] !== ')') throw new Error(`unbalanced parentheses in "${condition}"`);
      return value;
    }
    const selection = token === undefined ? undefined : selections[token];
    if (selection === undefined) throw new Error(`condition names an unknown selection ${String(token)}`);
    return selectionMatches(event, selection);
  };
  const result = orExpr();
  if (at !== tokens.length) throw new Error(`trailing tokens in "${condition}"`);
  return result;
}

const FIXTURES = path.resolve(__dirname, 'fixtures');
const SIGMA = path.resolve(__dirname, '../../rules/sigma');
const ruleIds = readdirSync(FIXTURES);

describe.each(ruleIds)('Sigma rule %s over its fixtures', (ruleId) => {
  const rule = parse(readFileSync(path.join(SIGMA, `${ruleId}.yml`), 'utf8')) as { detection: Record<string, unknown> & { condition: string } };
  const { condition, ...selections } = rule.detection;
  const load = (kind: string): (Event & { case: string })[] =>
    existsSync(path.join(FIXTURES, ruleId, `${kind}.json`)) ? (JSON.parse(readFileSync(path.join(FIXTURES, ruleId, `${kind}.json`), 'utf8')) as (Event & { case: string })[]) : [];

  it('has positive and negative fixtures', () => {
    expect(load('positive').length).toBeGreaterThan(0);
    expect(load('negative').length).toBeGreaterThan(0);
  });

  it.each(load('positive').map((e) => [e.case, e] as const))('matches: %s', (_case, event) => {
    expect(evaluateCondition(condition, selections as Record<string, Selection>, event)).toBe(true);
  });

  it.each(load('negative').map((e) => [e.case, e] as const))('does not match: %s', (_case, event) => {
    expect(evaluateCondition(condition, selections as Record<string, Selection>, event)).toBe(false);
  });
});

describe('the Sigma fixture evaluator', () => {
  const selections = { a: { 'Image|endswith': '\\x.exe' }, b: { 'TargetFilename|contains': ['tokens'] } };
  it.each([
    ['a and b', { Image: 'C:\\X.EXE', TargetFilename: 'c:\\tokens\\k' }, true],
    ['a and not b', { Image: 'C:\\X.EXE', TargetFilename: 'c:\\tokens\\k' }, false],
    ['not (a or b)', { Image: 'C:\\y.exe', TargetFilename: 'c:\\other' }, true],
  ] as const)('%s on %j is %s', (condition, event, expected) => {
    expect(evaluateCondition(condition, selections, event)).toBe(expected);
  });

  it('refuses a condition that names an unknown selection', () => {
    expect(() => evaluateCondition('a and missing', selections, { Image: 'x.exe' })).toThrow(/unknown selection missing/);
  });
});
