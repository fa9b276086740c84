import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, declarations, modules, properties, property, readBicep, resources, stringValue, variables, type SyntaxNode } from './bicep';

/**
 * The app settings an operator chooses, from the azd value through main.bicepparam and main.bicep to
 * the function app's setting the code reads. The deployment replaces the whole list of app settings,
 * so a choice that had no parameter could only be made in the portal and was lost at the next
 * deployment: every main.bicep parameter is reachable from azd. The workspace-querying functions
 * (the theft sweep, the remote-use sweep, the backfill) also make the app Log Analytics Reader on the
 * workspace (test/infra/existingWorkspace.test.ts checks that grant).
 */

const FUNCTION_APP = 'infra/modules/functionApp.bicep';
const functionApp = readBicep(FUNCTION_APP);
const main = readBicep('infra/main.bicep');

function text(node: SyntaxNode | undefined): string {
  return (node?.text ?? '').replace(/\s+/g, ' ').trim();
}

function appSettings(): Map<string, string> {
  const config = resources(functionApp).find((resource) => resource.type === 'Microsoft.Web/sites/config' && stringValue(property(resource.body, 'name')) === 'appsettings');
  const value = property(config?.body, 'properties');
  const objects = value?.type === 'object' ? [value] : (value?.childForFieldName('arguments')?.namedChildren.filter((node) => node.type === 'object') ?? []);
  return new Map(objects.flatMap(properties).map(({ key, value: v }) => [key, text(v)]));
}

/** name -> { default, minValue, maxValue } of a file's params. */
function params(file: ReturnType<typeof readBicep>): Map<string, { defaultText?: string; min?: string; max?: string }> {
  return new Map(
    declarations(file)
      .filter((d) => d.kind === 'param')
      .map((d) => [d.name, { defaultText: d.defaultText, min: d.decorators.get('minValue')?.[0], max: d.decorators.get('maxValue')?.[0] }]),
  );
}

/** The settings, the Bicep param behind each, its value expression, default and bounds, and the azd value. */
const CONTRACT = [
  { setting: 'TOKENWATCH_SWEEP_ENABLED', param: 'sweepEnabled', value: "sweepEnabled ? 'true' : 'false'", defaultText: 'false', azd: "bool(readEnvironmentVariable('TOKENWATCH_SWEEP_ENABLED', 'false'))" },
  { setting: 'TOKENWATCH_SWEEP_SCHEDULE', param: 'sweepSchedule', value: 'sweepSchedule', defaultText: "'0 */5 * * * *'", azd: "readEnvironmentVariable('TOKENWATCH_SWEEP_SCHEDULE', '0 */5 * * * *')" },
  {
    setting: 'TOKENWATCH_REMOTE_USE_SWEEP_ENABLED',
    param: 'remoteUseSweepEnabled',
    value: "remoteUseSweepEnabled ? 'true' : 'false'",
    defaultText: 'false',
    azd: "bool(readEnvironmentVariable('TOKENWATCH_REMOTE_USE_SWEEP_ENABLED', 'false'))",
  },
  {
    setting: 'TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE',
    param: 'remoteUseSweepSchedule',
    value: 'remoteUseSweepSchedule',
    defaultText: "'0 */5 * * * *'",
    azd: "readEnvironmentVariable('TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE', '0 */5 * * * *')",
  },
  // 0 = no backfill; at most 30 days of workspace history.
  { setting: 'TOKENWATCH_BACKFILL_DAYS', param: 'backfillDays', value: 'string(backfillDays)', defaultText: '0', min: '0', max: '30', azd: "int(readEnvironmentVariable('TOKENWATCH_BACKFILL_DAYS', '0'))" },
  // Detector tuning: the same bounds in both files and in src/config.ts.
  { setting: 'TOKENWATCH_DEDUP_DAYS', param: 'dedupDays', value: 'string(dedupDays)', defaultText: '5', min: '1', max: '90', azd: "int(readEnvironmentVariable('TOKENWATCH_DEDUP_DAYS', '5'))" },
  { setting: 'TOKENWATCH_CACHE_IDENTITIES', param: 'cacheIdentities', value: 'string(cacheIdentities)', defaultText: '20000', min: '100', max: '1000000', azd: "int(readEnvironmentVariable('TOKENWATCH_CACHE_IDENTITIES', '20000'))" },
  { setting: 'TOKENWATCH_CACHE_ROWS', param: 'cacheRows', value: 'string(cacheRows)', defaultText: '250000', min: '10000', max: '5000000', azd: "int(readEnvironmentVariable('TOKENWATCH_CACHE_ROWS', '250000'))" },
  { setting: 'TOKENWATCH_TOKEN_BUCKET_SHARDS', param: 'tokenBucketShards', value: 'string(tokenBucketShards)', defaultText: '1', min: '1', max: '64', azd: "int(readEnvironmentVariable('TOKENWATCH_TOKEN_BUCKET_SHARDS', '1'))" },
  { setting: 'TOKENWATCH_REJECTS_RETENTION_DAYS', param: 'rejectsRetentionDays', value: 'string(rejectsRetentionDays)', defaultText: '30', min: '1', max: '365', azd: "int(readEnvironmentVariable('TOKENWATCH_REJECTS_RETENTION_DAYS', '30'))" },
  { setting: 'TOKENWATCH_TOKEN_RETENTION_DAYS', param: 'tokenRetentionDays', value: 'string(tokenRetentionDays)', defaultText: '8', min: '2', max: '365', azd: "int(readEnvironmentVariable('TOKENWATCH_TOKEN_RETENTION_DAYS', '8'))" },
  { setting: 'TOKENWATCH_LEDGER_RETENTION_DAYS', param: 'ledgerRetentionDays', value: 'string(ledgerRetentionDays)', defaultText: '30', min: '1', max: '365', azd: "int(readEnvironmentVariable('TOKENWATCH_LEDGER_RETENTION_DAYS', '30'))" },
  { setting: 'TOKENWATCH_USUAL_EXTERNAL', param: 'usualExternal', value: 'usualExternal', defaultText: "'alert'", azd: "readEnvironmentVariable('TOKENWATCH_USUAL_EXTERNAL', 'alert')" },
];

describe('the operator settings', () => {
  const settings = appSettings();
  const appParams = params(functionApp);
  const mainParams = params(main);
  const functionAppModule = modules(main).find((module) => module.path === 'modules/functionApp.bicep');
  const bicepparam = readFileSync(join(REPO_ROOT, 'infra/main.bicepparam'), 'utf8');

  it.each(CONTRACT.map((entry) => [entry.setting, entry] as const))('%s is set from its parameter, with the same default and bounds from azd to the app', (_setting, entry) => {
    expect(settings.get(entry.setting)).toBe(entry.value);
    for (const declared of [appParams.get(entry.param), mainParams.get(entry.param)]) {
      expect(declared?.defaultText).toBe(entry.defaultText);
      expect(declared?.min).toBe(entry.min);
      expect(declared?.max).toBe(entry.max);
    }
    expect(text(property(property(functionAppModule?.body, 'params'), entry.param))).toBe(entry.param);
    expect(bicepparam).toContain(`param ${entry.param} = ${entry.azd}\n`);
  });

  it('sets the worker heap and young generation from their parameters', () => {
    expect(settings.get('NODE_OPTIONS')).toBe("'--max-old-space-size=${nodeHeapMb} --max-semi-space-size=${nodeSemiSpaceMb}'");
    for (const [param, defaultText, azd] of [
      ['nodeHeapMb', '384', "int(readEnvironmentVariable('TOKENWATCH_NODE_HEAP_MB', '384'))"],
      ['nodeSemiSpaceMb', '32', "int(readEnvironmentVariable('TOKENWATCH_NODE_SEMI_SPACE_MB', '32'))"],
    ] as const) {
      expect([appParams.get(param)?.defaultText, mainParams.get(param)?.defaultText]).toEqual([defaultText, defaultText]);
      expect(text(property(property(functionAppModule?.body, 'params'), param))).toBe(param);
      expect(bicepparam).toContain(`param ${param} = ${azd}\n`);
    }
  });

  it('sets the inline allowlists only when given, from azd values named as the settings', () => {
    const optional = text(variables(functionApp).get('optionalSettings'));
    for (const [param, setting] of [
      ['allowlistJson', 'TOKENWATCH_ALLOWLIST'],
      ['theftAllowlistJson', 'TOKENWATCH_THEFT_ALLOWLIST'],
    ] as const) {
      expect(optional).toContain(`empty(${param}) ? {} : { ${setting}: ${param} }`);
      expect([appParams.get(param)?.defaultText, mainParams.get(param)?.defaultText]).toEqual(["''", "''"]);
      expect(text(property(property(functionAppModule?.body, 'params'), param))).toBe(param);
      expect(bicepparam).toContain(`param ${param} = readEnvironmentVariable('${setting}', '')\n`);
    }
    expect(text(property(resources(functionApp).find((r) => r.type === 'Microsoft.Web/sites/config')?.body, 'properties'))).toContain('optionalSettings');
  });

  it('lets azd reach every parameter of main.bicep (tags aside)', () => {
    const assigned = new Set([...bicepparam.matchAll(/^param (\w+) =/gm)].map((m) => m[1]));
    expect([...mainParams.keys()].filter((name) => name !== 'tags' && !assigned.has(name))).toEqual([]);
  });

  it("judges Key Vault uses that name no tenant in the tenant deployed into", () => {
    expect(settings.get('TOKENWATCH_HOME_TENANT_ID')).toBe('tenant().tenantId');
  });

  it('queries the workspace the Sentinel side uses, whichever functions are on', () => {
    expect(settings.get('TOKENWATCH_WORKSPACE_ID')).toBe('workspaceCustomerId');
    expect(text(variables(main).get('workspaceQueriesEnabled'))).toBe('sweepEnabled || remoteUseSweepEnabled || backfillDays > 0');
  });
});
