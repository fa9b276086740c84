import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/core/alerts/alertRow';
import { ALERT_TABLE_NAME, alertKqlSchema } from '../../src/core/alerts/sentinelSchema';
import { DEFAULT_LATENESS_MS, THEFT_AND_USE_WINDOW_MS } from '../../src/core/correlation/theftAndUse';
import { kqlDiagnostics } from '../support/kusto';
import { REPO_ROOT, properties, property, readBicep, resources, stringValue, type SyntaxNode } from './bicep';
import { SENTINEL, sentinelRules as rules, type Rule } from './sentinelRules';

const HOUR_MS = 3_600_000;

/**
 * The Sentinel content in infra/modules/sentinel.bicep: every KQL text (the analytics rules' and the
 * workbook's) is parsed and type-checked by the Kusto language service against the alert table's
 * schema, and every column the rules map (entities, custom details, name/description/severity) is
 * proven to be in the query result.
 */

const TABLES = { [ALERT_TABLE_NAME]: alertKqlSchema() };

function columnNamesIn(node: SyntaxNode | undefined, key: string): string[] {
  if (node === undefined) return [];
  const out: string[] = [];
  const visit = (current: SyntaxNode): void => {
    if (current.type === 'object') {
      const value = stringValue(property(current, key));
      if (value !== undefined) out.push(value);
    }
    current.namedChildren.forEach(visit);
  };
  visit(node);
  return out;
}

/** Every column a rule reads from its query result. */
function mappedColumns(rule: Rule): string[] {
  const columns = new Set<string>(columnNamesIn(rule.props.get('entityMappings'), 'columnName'));
  const custom = rule.props.get('customDetails');
  if (custom !== undefined) for (const { value } of properties(custom)) columns.add(stringValue(value) ?? value.text);
  const override = rule.props.get('alertDetailsOverride');
  if (override !== undefined) {
    for (const { key, value } of properties(override)) {
      const text = stringValue(value) ?? '';
      if (key === 'alertSeverityColumnName') columns.add(text);
      for (const match of text.matchAll(/\{\{(\w+)\}\}/g)) if (match[1] !== undefined) columns.add(match[1]);
    }
  }
  return [...columns].sort();
}

function minutes(isoDuration: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(isoDuration);
  if (match === null) throw new Error(`unsupported duration ${isoDuration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

describe('the KQL check itself', () => {
  it('reports an unknown column, a syntax error and a type error (the check can fail)', () => {
    expect(kqlDiagnostics(`${ALERT_TABLE_NAME} | where Severty == "High"`, TABLES).length).toBeGreaterThan(0);
    expect(kqlDiagnostics(`${ALERT_TABLE_NAME} | summarize by`, TABLES).length).toBeGreaterThan(0);
    expect(kqlDiagnostics(`${ALERT_TABLE_NAME} | where ASN > ago(1h)`, TABLES).length).toBeGreaterThan(0);
  });
});

describe('Sentinel analytics rules', () => {
  const all = rules();

  it('has the remote-use, the theft and the stolen-and-used rule, each loading its KQL from a file', () => {
    expect(all.map((rule) => rule.queryPath).sort()).toEqual(['sentinel/remoteTokenUse.kql', 'sentinel/theftAndUse.kql', 'sentinel/tokenTheft.kql']);
  });

  it('raises a stolen-and-used join with its two halves, all three on the machine, grouped into one incident by it', () => {
    const rule = all.find((r) => r.queryPath === 'sentinel/theftAndUse.kql')!;
    const entities = (rule.props.get('entityMappings')?.namedChildren ?? []).map((mapping) => stringValue(property(mapping, 'entityType')));
    expect(entities).toEqual(['Host', 'AzureResource', 'Account', 'IP']);
    expect(property(property(rule.props.get('incidentConfiguration'), 'groupingConfiguration'), 'groupByEntities')?.text.replace(/\s+/g, '')).toBe("['AzureResource']");
    expect(rule.query).toMatch(/Detector == "TheftAndUse"/);
    expect(rule.query).toMatch(/Evidence\.theftAlertId/);
    expect(rule.query).toMatch(/Evidence\.remoteUseAlertId/);
  });

  it.each(all.map((rule) => [rule.queryPath, rule] as const))('%s parses and type-checks against the alert table', (_path, rule) => {
    expect(kqlDiagnostics(rule.query, TABLES)).toEqual([]);
  });

  it.each(all.map((rule) => [rule.queryPath, rule] as const))('%s returns every column the rule maps to entities, details, name, description and severity', (_path, rule) => {
    const columns = mappedColumns(rule);
    expect(columns).toEqual(expect.arrayContaining(['AlertName', 'Reason', 'Severity', 'AlertId']));
    expect(kqlDiagnostics(`${rule.query}\n| project ${columns.join(', ')}`, TABLES)).toEqual([]);
  });

  it.each(all.map((rule) => [rule.queryPath, rule] as const))('%s collapses redelivered rows by AlertId and covers late rows', (_path, rule) => {
    const text = rule.query.replace(/\/\/.*$/gm, '');
    expect(text).toMatch(/summarize arg_max\(TimeGenerated, \*\)[^\n|]*by AlertId/);
    const frequency = minutes(stringValue(rule.props.get('queryFrequency')) ?? '');
    const period = minutes(stringValue(rule.props.get('queryPeriod')) ?? '');
    // Rows may arrive late: look back further than one run, but raise each AlertId in one run only.
    expect(period).toBeGreaterThan(frequency);
    const ingestionWindow = Number(/FirstIngestedAt > ago\((\d+)m\)/.exec(text)?.[1]);
    expect(ingestionWindow).toBeGreaterThanOrEqual(frequency);
    expect(ingestionWindow).toBeLessThan(period);
    expect(/where TimeGenerated > ago\((\d+)h\)/.exec(text)?.[1]).toBe(String(period / 60));
  });

  it('looks back for the stolen-and-used halves as far as a join can reach', () => {
    const rule = all.find((r) => r.queryPath === 'sentinel/theftAndUse.kql');
    const halvesHours = Number(/where TimeGenerated > ago\((\d+)h\)/.exec(rule?.query.replace(/\/\/.*$/gm, '') ?? '')?.[1]);
    // The halves' rows carry their processing time: a join pairs halves up to the window apart, one
    // stream lagging the other by up to the lateness allowance, and raises from rows of the last hour.
    expect(halvesHours * HOUR_MS).toBeGreaterThanOrEqual(THEFT_AND_USE_WINDOW_MS + DEFAULT_LATENESS_MS + HOUR_MS);
  });

  it('takes severity, name and description from the row', () => {
    for (const rule of all) {
      const override = rule.props.get('alertDetailsOverride');
      expect(stringValue(property(override, 'alertSeverityColumnName'))).toBe('Severity');
      expect(stringValue(property(override, 'alertDisplayNameFormat'))).toBe('{{AlertName}}');
      expect(stringValue(property(override, 'alertDescriptionFormat'))).toBe('{{Reason}}');
    }
    // Every severity the code writes is one Sentinel accepts.
    expect(SEVERITIES.filter((severity) => !['High', 'Medium', 'Low', 'Informational'].includes(severity))).toEqual([]);
  });

  it('maps the entities and groups incidents per identity (remote use) and per host (theft)', () => {
    const byQuery = new Map(all.map((rule) => [rule.queryPath, rule]));
    const entities = (rule: Rule | undefined): string[] =>
      rule === undefined
        ? []
        : (rule.props.get('entityMappings')?.namedChildren ?? []).map((mapping) => {
            const fields = property(mapping, 'fieldMappings')?.namedChildren ?? [];
            return `${stringValue(property(mapping, 'entityType'))}: ${fields.map((field) => `${stringValue(property(field, 'identifier'))}=${stringValue(property(field, 'columnName'))}`).join(', ')}`;
          });
    const remote = byQuery.get('sentinel/remoteTokenUse.kql');
    const theft = byQuery.get('sentinel/tokenTheft.kql');
    expect(entities(remote)).toEqual(['Account: AadUserId=IdentityObjectId, Name=IdentityName', 'IP: Address=IPAddress', 'AzureResource: ResourceId=IdentityResourceId']);
    expect(entities(theft)).toEqual(['Host: HostName=HostName', 'Account: Name=AccountName', 'Process: CommandLine=ProcessCommandLine']);
    const groupedBy = (rule: Rule | undefined): string | undefined =>
      property(property(rule?.props.get('incidentConfiguration'), 'groupingConfiguration'), 'groupByEntities')?.text.replace(/\s+/g, '');
    expect(groupedBy(remote)).toBe("['Account']");
    expect(groupedBy(theft)).toBe("['Host']");
    expect(remote?.query).toMatch(/Detector == "RemoteTokenUse"/);
    expect(theft?.query).toMatch(/Detector == "TokenTheft"/);
  });

  it('raises no incident for a daily exposure row in the remote-use rule, and joins one with its theft in the stolen-and-used rule', () => {
    const byQuery = new Map(all.map((rule) => [rule.queryPath, rule]));
    // Every mention of Detector in the KQL (comments aside): an exact equality in the remote-use
    // rule (a startswith, contains or in-list would let RemoteTokenUseExposure through).
    const detectorFilters = (rule: Rule | undefined): string[] => [...(rule?.query.replace(/\/\/.*$/gm, '') ?? '').matchAll(/Detector[^\n|]*/g)].map((m) => m[0].trim());
    expect(detectorFilters(byQuery.get('sentinel/remoteTokenUse.kql'))).toEqual(['Detector == "RemoteTokenUse"']);
    expect(detectorFilters(byQuery.get('sentinel/theftAndUse.kql'))).toContain('Detector in ("TokenTheft", "RemoteTokenUse", "RemoteTokenUseExposure")');
  });

  it('tags every rule Credential Access / T1528 and creates incidents', () => {
    for (const rule of all) {
      expect(rule.props.get('tactics')?.text.replace(/\s+/g, '')).toBe("['CredentialAccess']");
      expect(rule.props.get('techniques')?.text.replace(/\s+/g, '')).toBe("['T1528']");
      expect(property(rule.props.get('incidentConfiguration'), 'createIncident')?.text).toBe('true');
    }
  });
});

describe('Sentinel workbook', () => {
  const bicep = readBicep(SENTINEL);
  const workbook = resources(bicep).find((resource) => resource.type === 'Microsoft.Insights/workbooks');
  const serialized = property(property(workbook?.body, 'properties'), 'serializedData')?.text ?? '';
  const path = /loadTextContent\('([^']+)'\)/.exec(serialized)?.[1] ?? '';
  const document = JSON.parse(readFileSync(join(dirname(join(REPO_ROOT, SENTINEL)), path), 'utf8')) as {
    items: { type: number; name: string; content: { query?: string; title?: string } }[];
    fallbackResourceIds: string[];
  };
  // The alert tiles read TokenWatchAlerts_CL; the pipeline-health tiles read AppTraces (workbookHealth.test.ts).
  const queries = document.items
    .filter((item) => item.type === 3)
    .map((item) => ({ name: item.name, query: item.content.query ?? '' }))
    .filter((item) => item.query.startsWith(ALERT_TABLE_NAME));

  it('reads the alert table in every tile but the pipeline-health ones', () => {
    const others = document.items.filter((item) => item.type === 3 && !(item.content.query ?? '').startsWith(ALERT_TABLE_NAME)).map((item) => item.name);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((name) => name.startsWith('health-'))).toBe(true);
  });

  it('is deployed from the JSON file with the workspace filled in for the placeholder', () => {
    expect(path).toBe('sentinel/workbook.json');
    expect(serialized).toContain("'__WORKSPACE_RESOURCE_ID__', workspace.id");
    expect(document.fallbackResourceIds).toEqual(['__WORKSPACE_RESOURCE_ID__']);
  });

  it('shows alerts over time by severity, top identities, top ASNs, and theft by host and process', () => {
    expect(queries.map((query) => query.name)).toEqual(expect.arrayContaining(['alerts-over-time', 'top-identities', 'top-asns', 'theft-by-host-process']));
    const text = (name: string): string => queries.find((query) => query.name === name)?.query ?? '';
    expect(text('alerts-over-time')).toMatch(/by Severity, bin\(TimeGenerated/);
    expect(text('top-identities')).toMatch(/by IdentityName/);
    expect(text('top-asns')).toMatch(/by ASN, ASOrganization/);
    expect(text('theft-by-host-process')).toMatch(/by HostName, ProcessName/);
  });

  it('counts alerts without the daily exposure rows, and shows those in their own tiles', () => {
    const text = (name: string): string => queries.find((query) => query.name === name)?.query ?? '';
    expect(text('alerts-over-time')).toMatch(/\| where Detector != "RemoteTokenUseExposure"\n/);
    expect(text('top-identities')).toMatch(/\| where Detector == "RemoteTokenUse"\n/);
    for (const name of ['exposure-by-identity', 'exposure-over-time']) expect(text(name)).toMatch(/\| where Detector == "RemoteTokenUseExposure"\n/);
  });

  it.each(queries.map((query) => [query.name, query.query] as const))('query %s parses, type-checks and counts distinct alerts', (_name, query) => {
    expect(kqlDiagnostics(query, TABLES)).toEqual([]);
    expect(query).toMatch(/summarize arg_max\(TimeGenerated, \*\) by AlertId/);
  });
});
