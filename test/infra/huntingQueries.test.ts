import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { THEFT_RULES } from '../../src/core/theft/theftRules';
import { ENDPOINT_TABLES } from '../rules/endpointTableSchemas';
import { kqlDiagnostics } from '../support/kusto';
import { REPO_ROOT, modules, properties, property, readBicep, resources, stringValue, variables } from './bicep';
import { bicepValue } from './sentinelRules';

/**
 * The hunting queries (rules/kql) deployed as Sentinel hunting queries: saved searches in the
 * category "Hunting Queries", from infra/modules/huntingQueries.bicep, wired in main.bicep into the
 * workspace's resource group (new or existing workspace alike). Each .kql file is deployed exactly
 * once, loaded from the file itself, parses against the tables it reads, and carries its rule's
 * tactic and techniques.
 */

const MODULE = 'infra/modules/huntingQueries.bicep';
const file = readBicep(MODULE);
const KQL_DIR = join(REPO_ROOT, 'rules/kql');
const kqlFiles = readdirSync(KQL_DIR).filter((name) => name.endsWith('.kql'));

interface HuntingEntry {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly techniques: string;
  /** The file its query is loaded from, relative to the repository. */
  readonly queryFile: string;
}

function entries(): HuntingEntry[] {
  const list = variables(file).get('huntingQueries');
  if (list?.type !== 'array') throw new Error('huntingQueries is not an array literal');
  return list.namedChildren
    .filter((node) => node.type !== 'comment')
    .map((item) => (item.type === 'object' ? item : item.namedChildren[0]!))
    .map((object) => {
      const value = (key: string): string => stringValue(property(object, key)) ?? '';
      const query = property(object, 'query')?.text ?? '';
      const path = /^loadTextContent\('([^']+)'\)$/.exec(query)?.[1];
      if (path === undefined) throw new Error(`${value('id')}: query is not loadTextContent('…')`);
      return {
        id: value('id'),
        displayName: value('displayName'),
        description: value('description'),
        techniques: value('techniques'),
        queryFile: join(dirname(MODULE), path).replace(/\\/g, '/'),
      };
    });
}

describe('hunting queries as saved searches', () => {
  const all = entries();

  it('deploys every rules/kql file exactly once, loaded from the file', () => {
    const deployed = all.map((entry) => entry.queryFile).sort();
    expect(deployed).toEqual(kqlFiles.map((name) => `rules/kql/${name}`).sort());
    expect(new Set(deployed).size).toBe(deployed.length);
    expect(all.map((entry) => `rules/kql/${entry.id}.kql`)).toEqual(all.map((entry) => entry.queryFile));
  });

  it.each(entries().map((entry) => [entry.queryFile, entry] as const))('%s parses and type-checks against the tables it reads', (path) => {
    expect(kqlDiagnostics(readFileSync(join(REPO_ROOT, path), 'utf8'), ENDPOINT_TABLES)).toEqual([]);
  });

  it('names each query after its detector rule and tags it with the rule\'s tactic and techniques', () => {
    const byId = new Map<string, (typeof THEFT_RULES)[number]>(THEFT_RULES.map((rule) => [rule.id, rule]));
    const offenders = all.flatMap((entry) => {
      const rule = byId.get(entry.id);
      if (rule === undefined) return [`${entry.id}: no detector rule of that id`];
      const out: string[] = [];
      if (entry.displayName !== `TokenWatch - ${rule.name}`) out.push(`${entry.id}: displayName ${entry.displayName}`);
      if (entry.techniques !== rule.attack.techniques.join(',')) out.push(`${entry.id}: techniques ${entry.techniques}, rule has ${rule.attack.techniques.join(',')}`);
      if (entry.description.length < 40) out.push(`${entry.id}: description too short`);
      return out;
    });
    expect(offenders).toEqual([]);
  });

  it('is a saved search in the Hunting Queries category with description, tactics and techniques tags', () => {
    const [search, ...others] = resources(file).filter((resource) => !resource.existing);
    expect(others).toEqual([]);
    expect(search?.type).toBe('Microsoft.OperationalInsights/workspaces/savedSearches');
    // The workspace's own API version (workspace.bicep), whose SavedSearchProperties are category, displayName, query, tags, version.
    const workspaceApi = resources(readBicep('infra/modules/workspace.bicep')).find((r) => r.type === 'Microsoft.OperationalInsights/workspaces')?.apiVersion;
    expect(search?.apiVersion).toBe(workspaceApi);
    const body = search!.body.type === 'for_statement' ? search!.body.namedChildren[2] : search!.body;
    const props = property(body, 'properties');
    expect(bicepValue(property(props, 'category'))).toBe('Hunting Queries');
    expect(bicepValue(property(props, 'version'))).toBe(2);
    expect(property(props, 'query')?.text).toBe('query.query');
    expect(property(props, 'displayName')?.text).toBe('query.displayName');
    const tags = property(props, 'tags')?.namedChildren.filter((node) => node.type === 'object').map((tag) => [stringValue(property(tag, 'name')), property(tag, 'value')?.text]);
    expect(tags).toEqual([
      ['description', 'query.description'],
      ['tactics', "'CredentialAccess'"],
      ['techniques', 'query.techniques'],
    ]);
    // One stable name per query: a redeployment updates, never duplicates.
    expect(property(body, 'name')?.text).toBe("guid(workspace.id, 'tokenwatch', 'hunting', query.id)");
    expect(new Set(all.map((entry) => entry.id)).size).toBe(all.length);
  });

  it('is deployed from main.bicep into the workspace\'s resource group, new or existing', () => {
    const main = readBicep('infra/main.bicep');
    const deployed = modules(main).filter((module) => module.path === 'modules/huntingQueries.bicep');
    expect(deployed).toHaveLength(1);
    const module = deployed[0]!;
    expect(module.condition).toBeUndefined();
    expect(property(module.body, 'scope')?.text).toBe('resourceGroup(workspaceSubscriptionId, workspaceResourceGroupName)');
    const params = properties(property(module.body, 'params')!);
    expect(params.map(({ key, value }) => `${key}: ${value.text}`)).toEqual(['workspaceName: workspace.outputs.name']);
  });
});
