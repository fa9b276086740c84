import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './bicep';
import { bicepValue, isoMinutes, ruleYaml, sentinelRules, shortMinutes, TRIGGER_OPERATORS, type Rule } from './sentinelRules';

/**
 * The three analytics rules also as Sentinel rule YAML (the Azure-Sentinel community repository's
 * Detections schema), under rules/sentinel: one file per rule in infra/modules/sentinel.bicep,
 * byte-for-byte what ruleYaml() builds from the Bicep and the KQL file it deploys, so the YAML and
 * the deployed rule cannot drift. After changing a rule, regenerate with:
 *   TOKENWATCH_WRITE_SENTINEL_YAML=1 npx vitest run test/infra/sentinelRuleYaml.test.ts
 * The ids are fixed here: a template's id must not change between versions.
 */

const YAML_DIR = 'rules/sentinel';
const FILES: Readonly<Record<string, { readonly file: string; readonly id: string }>> = {
  remoteTokenUseRule: { file: 'remote-token-use.yaml', id: '7dfedad7-2699-47ff-9a67-0d125a2e95d7' },
  tokenTheftRule: { file: 'token-theft.yaml', id: '16808143-5f3f-4ca5-b975-2f8269e5c4c3' },
  theftAndUseRule: { file: 'theft-and-use.yaml', id: 'd9106a8d-c691-41ed-b95c-745e1379efe7' },
};

const rules = sentinelRules();
const fileOf = (rule: Rule): { file: string; id: string } => {
  const entry = FILES[rule.symbol];
  if (entry === undefined) throw new Error(`${rule.symbol}: no YAML file named for this rule in FILES`);
  return entry;
};

if (process.env['TOKENWATCH_WRITE_SENTINEL_YAML'] === '1') {
  for (const rule of rules) writeFileSync(join(REPO_ROOT, YAML_DIR, fileOf(rule).file), ruleYaml(rule, fileOf(rule).id));
}

const read = (file: string): string => readFileSync(join(REPO_ROOT, YAML_DIR, file), 'utf8');

/** MITRE ATT&CK tactics as Sentinel names them (AttackTactic in the community repository's validation). */
const TACTICS = [
  'Reconnaissance', 'ResourceDevelopment', 'InitialAccess', 'Execution', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion', 'CredentialAccess',
  'Discovery', 'LateralMovement', 'Collection', 'CommandAndControl', 'Exfiltration', 'Impact', 'ImpairProcessControl', 'InhibitResponseFunction',
];
/** The entity identifiers these rules may use (Sentinel entity reference). */
const IDENTIFIERS: Readonly<Record<string, readonly string[]>> = {
  Account: ['Name', 'FullName', 'NTDomain', 'DnsDomain', 'UPNSuffix', 'Sid', 'AadTenantId', 'AadUserId', 'PUID', 'IsDomainJoined', 'DisplayName', 'ObjectGuid'],
  IP: ['Address'],
  Host: ['DnsDomain', 'NTDomain', 'HostName', 'FullName', 'NetBiosName', 'AzureID', 'OMSAgentID', 'OSFamily', 'OSVersion', 'IsDomainJoined'],
  AzureResource: ['ResourceId'],
  Process: ['ProcessId', 'CommandLine', 'ElevationToken', 'CreationTimeUtc'],
};
const REQUIRED = ['id', 'name', 'description', 'severity', 'requiredDataConnectors', 'queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold', 'tactics', 'relevantTechniques', 'query', 'version', 'kind'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Doc = Record<string, unknown>;

/** What the community repository's schema validation would refuse in a detection YAML, every offender listed. */
function schemaProblems(file: string, doc: Doc): string[] {
  const out: string[] = [];
  const bad = (what: string): number => out.push(`${file}: ${what}`);
  for (const key of REQUIRED) if (doc[key] === undefined) bad(`missing ${key}`);
  if (typeof doc['id'] !== 'string' || !GUID.test(doc['id'])) bad('id is not a GUID');
  if (typeof doc['name'] !== 'string' || doc['name'].length > 256) bad('name is not a string of at most 256 characters');
  if (typeof doc['description'] !== 'string' || doc['description'].length > 5000) bad('description is not a string of at most 5000 characters');
  if (!['Informational', 'Low', 'Medium', 'High'].includes(String(doc['severity']))) bad(`severity ${String(doc['severity'])}`);
  if (!Array.isArray(doc['requiredDataConnectors'])) bad('requiredDataConnectors is not a list');
  let frequency = Number.NaN;
  let period = Number.NaN;
  try {
    frequency = shortMinutes(String(doc['queryFrequency']));
    period = shortMinutes(String(doc['queryPeriod']));
  } catch (error) {
    bad(String(error));
  }
  // 5 minutes to 14 days each, the period at least the frequency (PeriodGreaterThanOrEqualFrequency).
  for (const [name, minutes] of [['queryFrequency', frequency], ['queryPeriod', period]] as const) if (!(minutes >= 5 && minutes <= 14 * 1440)) bad(`${name} outside 5m..14d`);
  if (!(period >= frequency)) bad('queryPeriod shorter than queryFrequency');
  if (!['gt', 'lt', 'eq', 'ne', 'GreaterThan', 'LessThan', 'Equal', 'NotEqual'].includes(String(doc['triggerOperator']))) bad(`triggerOperator ${String(doc['triggerOperator'])}`);
  const threshold = doc['triggerThreshold'];
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 0 || threshold > 10000) bad('triggerThreshold is not an integer from 0 to 10000');
  const tactics = Array.isArray(doc['tactics']) ? (doc['tactics'] as unknown[]) : [];
  for (const tactic of tactics) if (!TACTICS.includes(String(tactic))) bad(`unknown tactic ${String(tactic)}`);
  for (const technique of Array.isArray(doc['relevantTechniques']) ? (doc['relevantTechniques'] as unknown[]) : []) if (!/^T\d{4}(?:\.\d{3})?$/.test(String(technique))) bad(`malformed technique ${String(technique)}`);
  if (typeof doc['query'] !== 'string' || doc['query'].length < 1 || doc['query'].length > 10000) bad('query is not 1 to 10,000 characters');
  const mappings = doc['entityMappings'];
  if (mappings !== undefined) {
    const list = Array.isArray(mappings) ? (mappings as Doc[]) : [];
    if (list.length < 1 || list.length > 5) bad('entityMappings must have 1 to 5 entries');
    for (const mapping of list) {
      const type = String(mapping['entityType']);
      const fields = Array.isArray(mapping['fieldMappings']) ? (mapping['fieldMappings'] as Doc[]) : [];
      if (IDENTIFIERS[type] === undefined) bad(`unknown entity type ${type}`);
      if (fields.length < 1 || fields.length > 3) bad(`${type}: fieldMappings must have 1 to 3 entries`);
      for (const field of fields) {
        if (!IDENTIFIERS[type]?.includes(String(field['identifier']))) bad(`${type}: unknown identifier ${String(field['identifier'])}`);
        if (typeof field['columnName'] !== 'string' || field['columnName'] === '') bad(`${type}: columnName missing`);
      }
    }
  }
  const details = doc['customDetails'];
  if (details !== undefined) {
    const entries = Object.entries((details ?? {}) as Doc);
    if (entries.length > 20) bad('more than 20 customDetails');
    for (const [key, column] of entries) if (!/^[a-zA-Z]+\w*$/.test(key) || key.length > 20 || !/^[a-zA-Z_]+\w*$/.test(String(column))) bad(`customDetails ${key}: ${String(column)}`);
  }
  if (!/^\d+\.\d+\.\d+$/.test(String(doc['version']))) bad(`version ${String(doc['version'])} is not x.y.z`);
  if (doc['kind'] !== 'Scheduled') bad(`kind ${String(doc['kind'])}`);
  return out;
}

describe('Sentinel rule YAML (rules/sentinel)', () => {
  it('has one file per analytics rule the Bicep deploys, and no other', () => {
    expect(rules.map((rule) => rule.symbol).sort()).toEqual(Object.keys(FILES).sort());
    expect(readdirSync(join(REPO_ROOT, YAML_DIR)).sort()).toEqual(Object.values(FILES).map((entry) => entry.file).sort());
  });

  it.each(rules.map((rule) => [fileOf(rule).file, rule] as const))('%s is what the Bicep and its KQL file say (regenerate, never edit by hand)', (file, rule) => {
    expect(read(file)).toBe(ruleYaml(rule, fileOf(rule).id));
  });

  it.each(rules.map((rule) => [fileOf(rule).file, rule] as const))('%s reads back as the deployed rule: query, entities, details, schedule, incidents', (file, rule) => {
    const doc = parse(read(file)) as Doc;
    const bicep = (key: string): unknown => bicepValue(rule.props.get(key));
    expect(doc['query']).toBe(rule.query);
    expect(doc['entityMappings']).toEqual(bicep('entityMappings'));
    expect(doc['customDetails']).toEqual(bicep('customDetails'));
    expect(doc['alertDetailsOverride']).toEqual(bicep('alertDetailsOverride'));
    expect(doc['incidentConfiguration']).toEqual(bicep('incidentConfiguration'));
    expect(doc['eventGroupingSettings']).toEqual(bicep('eventGroupingSettings'));
    expect([doc['name'], doc['description'], doc['severity']]).toEqual([bicep('displayName'), bicep('description'), bicep('severity')]);
    expect(doc['tactics']).toEqual(bicep('tactics'));
    expect(doc['relevantTechniques']).toEqual(bicep('techniques'));
    expect(shortMinutes(String(doc['queryFrequency']))).toBe(isoMinutes(String(bicep('queryFrequency'))));
    expect(shortMinutes(String(doc['queryPeriod']))).toBe(isoMinutes(String(bicep('queryPeriod'))));
    expect(doc['triggerOperator']).toBe(TRIGGER_OPERATORS[String(bicep('triggerOperator'))]);
    expect(doc['triggerThreshold']).toBe(bicep('triggerThreshold'));
    // Every literal came through: no Bicep expression left where the YAML needs a value.
    expect(JSON.stringify(doc)).not.toMatch(/"=/);
  });

  it('passes the community schema checks, with unique ids (every offender listed)', () => {
    const found: string[] = [];
    const ids = new Set<string>();
    for (const { file } of Object.values(FILES)) {
      const doc = parse(read(file)) as Doc;
      found.push(...schemaProblems(file, doc));
      if (ids.has(String(doc['id']))) found.push(`${file}: duplicate id`);
      ids.add(String(doc['id']));
    }
    expect(found).toEqual([]);
  });

  it('the checks can fail: a broken rule and a drifted query are caught', () => {
    const broken = { id: 'x', name: 'n', description: 'd', severity: 'Critical', requiredDataConnectors: [], queryFrequency: 'PT5M', queryPeriod: '1m', triggerOperator: '>', triggerThreshold: -1, tactics: ['Stealing'], relevantTechniques: ['1528'], query: '', entityMappings: [{ entityType: 'IP', fieldMappings: [{ identifier: 'Ip', columnName: 'IPAddress' }] }], version: '1', kind: 'NRT' };
    expect(schemaProblems('broken.yaml', broken)).toEqual([
      'broken.yaml: id is not a GUID',
      'broken.yaml: severity Critical',
      'broken.yaml: Error: not <n>m|h|d: PT5M',
      'broken.yaml: queryFrequency outside 5m..14d',
      'broken.yaml: queryPeriod outside 5m..14d',
      'broken.yaml: queryPeriod shorter than queryFrequency',
      'broken.yaml: triggerOperator >',
      'broken.yaml: triggerThreshold is not an integer from 0 to 10000',
      'broken.yaml: unknown tactic Stealing',
      'broken.yaml: malformed technique 1528',
      'broken.yaml: query is not 1 to 10,000 characters',
      'broken.yaml: IP: unknown identifier Ip',
      'broken.yaml: version 1 is not x.y.z',
      'broken.yaml: kind NRT',
    ]);
    const rule = rules[0]!;
    const drifted = { ...rule, query: `${rule.query}| take 1\n` };
    expect(ruleYaml(drifted, fileOf(rule).id)).not.toBe(read(fileOf(rule).file));
  });
});
