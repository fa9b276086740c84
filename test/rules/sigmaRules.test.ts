import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { THEFT_RULES } from '../../src/core/theft/theftRules';

/** Validates every Sigma rule under rules/sigma and ties it to the detector's rule registry. */
const SIGMA = path.resolve(__dirname, '../../rules/sigma');
const files = readdirSync(SIGMA).filter((f) => f.endsWith('.yml'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
/**
 * ATT&CK tactics as the Sigma tags appendix (v2, 2024-08-08; v2.1.0 2025-08-02) writes them: MITRE's
 * short names with hyphens. The v1 spelling with underscores (`attack.credential_access`) is refused.
 */
const TACTICS = ['reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation', 'defense-evasion', 'credential-access', 'discovery', 'lateral-movement', 'collection', 'command-and-control', 'exfiltration', 'impact'];

function problems(file: string, rule: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const field of ['title', 'id', 'status', 'description', 'logsource', 'detection', 'level', 'tags']) if (rule[field] === undefined) out.push(`${file}: missing ${field}`);
  if (typeof rule['id'] !== 'string' || !UUID.test(rule['id'])) out.push(`${file}: id is not a UUID`);
  if (!STATUSES.includes(String(rule['status']))) out.push(`${file}: status ${String(rule['status'])}`);
  if (!LEVELS.includes(String(rule['level']))) out.push(`${file}: level ${String(rule['level'])}`);
  const tags = Array.isArray(rule['tags']) ? (rule['tags'] as unknown[]) : [];
  for (const tag of ['attack.credential-access', 'attack.t1528']) if (!tags.includes(tag)) out.push(`${file}: missing tag ${tag}`);
  for (const tag of tags) {
    const attack = typeof tag === 'string' ? /^attack\.(.+)$/.exec(tag)?.[1] : undefined;
    if (attack === undefined || !(/^t\d{4}(?:\.\d{3})?$/.test(attack) || TACTICS.includes(attack))) out.push(`${file}: malformed tag ${String(tag)}`);
  }
  const logsource = rule['logsource'] as Record<string, unknown> | undefined;
  if (!logsource || (logsource['category'] === undefined && logsource['product'] === undefined)) out.push(`${file}: logsource needs a category or product`);
  const detection = rule['detection'] as Record<string, unknown> | undefined;
  const condition = detection?.['condition'];
  if (typeof condition !== 'string') out.push(`${file}: detection.condition missing`);
  else {
    // Every identifier in the condition names a selection defined in detection.
    for (const name of condition.match(/[A-Za-z_][\w]*/g) ?? []) {
      if (['and', 'or', 'not', 'of', 'them', 'all'].includes(name)) continue;
      if (detection?.[name] === undefined) out.push(`${file}: condition names undefined selection ${name}`);
    }
  }
  return out;
}

describe('Sigma rules', () => {
  it('exist, one per detector rule, named after it', () => {
    expect(files.map((f) => `rules/sigma/${f}`).sort()).toEqual(THEFT_RULES.map((r) => r.sigma).sort());
  });

  it('parse and carry the required fields and ATT&CK tags (every offender listed)', () => {
    const found: string[] = [];
    const ids = new Set<string>();
    for (const file of files) {
      let rule: unknown;
      try {
        rule = parse(readFileSync(path.join(SIGMA, file), 'utf8'));
      } catch (error) {
        found.push(`${file}: does not parse: ${String(error)}`);
        continue;
      }
      if (typeof rule !== 'object' || rule === null) {
        found.push(`${file}: not a mapping`);
        continue;
      }
      found.push(...problems(file, rule as Record<string, unknown>));
      const id = (rule as Record<string, unknown>)['id'];
      if (typeof id === 'string' && ids.has(id)) found.push(`${file}: duplicate id ${id}`);
      if (typeof id === 'string') ids.add(id);
    }
    expect(found).toEqual([]);
  });

  it('tag each rule with its detector rule\'s tactic and techniques, in the Sigma v2 spelling', () => {
    const offenders = THEFT_RULES.flatMap((rule) => {
      const sigma = parse(readFileSync(path.resolve(__dirname, '../..', rule.sigma), 'utf8')) as { tags?: unknown };
      const tags = Array.isArray(sigma.tags) ? sigma.tags.map(String) : [];
      const expected = ['attack.credential-access', ...rule.attack.techniques.map((t) => `attack.${t.toLowerCase()}`)];
      return JSON.stringify([...tags].sort()) === JSON.stringify([...expected].sort()) ? [] : [`${rule.sigma}: ${tags.join(', ')} (expected ${expected.join(', ')})`];
    });
    expect(offenders).toEqual([]);
  });

  it('the checker catches a broken rule', () => {
    const broken = { title: 'x', id: 'not-a-uuid', status: 'draft', logsource: {}, detection: { selection: {}, condition: 'selection and filter' }, level: 'severe', tags: ['attack.t1528', 'attack.credential_access', 'attack.T1552'] };
    expect(problems('broken.yml', broken)).toEqual([
      'broken.yml: missing description',
      'broken.yml: id is not a UUID',
      'broken.yml: status draft',
      'broken.yml: level severe',
      'broken.yml: missing tag attack.credential-access',
      'broken.yml: malformed tag attack.credential_access',
      'broken.yml: malformed tag attack.T1552',
      'broken.yml: logsource needs a category or product',
      'broken.yml: condition names undefined selection filter',
    ]);
  });
});
