import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, declarations, modules, properties, property, readBicep, resources, stringValue, variables, type SyntaxNode } from './bicep';

/**
 * The settings of the workspace-querying functions: the theft sweep, the remote-use sweep
 * (remoteTokenUseSweep) and the backfill. Names, defaults and bounds are the contract with the code,
 * which reads them from the app settings; every one of them also makes the app Log Analytics Reader on
 * the workspace (test/infra/existingWorkspace.test.ts checks that grant).
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
];

describe('the sweep and backfill settings', () => {
  const settings = appSettings();
  const appParams = params(functionApp);
  const mainParams = params(main);
  const functionAppModule = modules(main).find((module) => module.path === 'modules/functionApp.bicep');
  const bicepparam = readFileSync(join(REPO_ROOT, 'infra/main.bicepparam'), 'utf8');

  it.each(CONTRACT.map((entry) => [entry.setting, entry] as const))('%s is set from its parameter, off or every 5 minutes by default', (_setting, entry) => {
    expect(settings.get(entry.setting)).toBe(entry.value);
    for (const declared of [appParams.get(entry.param), mainParams.get(entry.param)]) {
      expect(declared?.defaultText).toBe(entry.defaultText);
      expect(declared?.min).toBe(entry.min);
      expect(declared?.max).toBe(entry.max);
    }
    expect(text(property(property(functionAppModule?.body, 'params'), entry.param))).toBe(entry.param);
    expect(bicepparam).toContain(`param ${entry.param} = ${entry.azd}\n`);
  });

  it('queries the workspace the Sentinel side uses, whichever functions are on', () => {
    expect(settings.get('TOKENWATCH_WORKSPACE_ID')).toBe('workspaceCustomerId');
    expect(text(variables(main).get('workspaceQueriesEnabled'))).toBe('sweepEnabled || remoteUseSweepEnabled || backfillDays > 0');
  });
});
