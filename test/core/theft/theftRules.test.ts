import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../../src/core/alerts/alertRow';
import { THEFT_RULES, type TheftRule } from '../../../src/core/theft/theftRules';

/** Meta-test over the rule registry: lists every offender at once instead of stopping at the first. */
const ROOT = path.resolve(__dirname, '../../..');
const ATTACK_ID = /^T\d{4}(?:\.\d{3})?$/;

function offences(rules: readonly TheftRule[]): string[] {
  const out: string[] = [];
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) out.push(`${rule.id}: duplicate id`);
    ids.add(rule.id);
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(rule.id)) out.push(`${rule.id}: id is not kebab-case`);
    if (!SEVERITIES.includes(rule.severity)) out.push(`${rule.id}: severity ${String(rule.severity)} not in ${SEVERITIES.join('/')}`);
    if (rule.attack.tactic !== 'CredentialAccess') out.push(`${rule.id}: tactic is not CredentialAccess`);
    if (!rule.attack.techniques.includes('T1528')) out.push(`${rule.id}: does not name T1528`);
    for (const t of rule.attack.techniques) if (!ATTACK_ID.test(t)) out.push(`${rule.id}: ${t} is not an ATT&CK technique id`);
    if (rule.name.trim().length < 10) out.push(`${rule.id}: name too short`);
    if (rule.description.trim().length < 40) out.push(`${rule.id}: description missing`);
    if (rule.runbook.length < 2 || rule.runbook.some((s) => s.trim().length < 20)) out.push(`${rule.id}: runbook needs at least two real steps`);
    if (rule.falsePositives.length < 1 || rule.falsePositives.some((s) => s.trim().length < 20)) out.push(`${rule.id}: false-positive notes missing`);
    if (!existsSync(path.join(ROOT, rule.sigma))) out.push(`${rule.id}: Sigma twin ${rule.sigma} does not exist`);
  }
  return out;
}

describe('theft rule registry', () => {
  it('has no offenders', () => {
    expect(offences(THEFT_RULES)).toEqual([]);
  });

  it('covers every vector', () => {
    expect(new Set(THEFT_RULES.map((r) => r.vector))).toEqual(new Set(['TokenEndpoint', 'ServiceAccountToken', 'TokenCache']));
  });

  it('reports every offender of a broken registry, not only the first', () => {
    const good = THEFT_RULES[0] as TheftRule;
    const broken: TheftRule[] = [
      { ...good, id: 'dup' },
      { ...good, id: 'dup', severity: 'Critical' as never, attack: { tactic: 'CredentialAccess', techniques: ['T15280'] }, runbook: [], falsePositives: [], sigma: 'rules/sigma/missing.yml' },
    ];
    const found = offences(broken);
    for (const expected of ['duplicate id', 'severity Critical', 'not name T1528', 'T15280 is not', 'runbook', 'false-positive', 'missing.yml']) {
      expect(found.join('\n')).toContain(expected);
    }
  });
});
