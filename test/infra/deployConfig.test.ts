import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, property, readBicep, resources, withoutComments } from './bicep';

/**
 * The deployment wiring around the Bicep: azure.yaml (azd), .funcignore, local.settings.example.json,
 * and the settings reference in docs/operations.md, checked against the settings the code reads
 * (src/config.ts) and the settings the Bicep sets.
 */

function read(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/** App setting names the Bicep sets on the function app (keys of the appsettings objects). */
function bicepSettingNames(): string[] {
  const text = withoutComments(readBicep('infra/modules/functionApp.bicep'));
  const block = text.slice(text.indexOf("name: 'appsettings'"));
  const names = [...block.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*):\s/gm)].map((match) => match[1] ?? '');
  const optional = [...text.matchAll(/\{ (TOKENWATCH_[A-Z_]+): /g)].map((match) => match[1] ?? '');
  return [...new Set([...names.filter((name) => /^(AzureWebJobs|TOKENWATCH_|AZURE_|APPLICATIONINSIGHTS_)/.test(name)), ...optional])].sort();
}

/** Setting names src/config.ts reads: quoted literals, `<NAME>_FILE` companions, and the Event Hub connection prefix. */
function configSettingNames(): string[] {
  const text = read('src/config.ts');
  const names = new Set([...text.matchAll(/'((?:TOKENWATCH|AZURE)_[A-Z_]+)'/g)].map((match) => match[1] ?? ''));
  for (const match of text.matchAll(/loadJsonSetting\([^,]+,[^,]+,\s*'([A-Z_]+)'/g)) if (match[1] !== undefined) names.add(`${match[1]}_FILE`);
  // The Event Hub connection is a prefix; what is actually set is <prefix>__fullyQualifiedNamespace.
  if (names.delete('TOKENWATCH_EVENTHUB')) names.add('TOKENWATCH_EVENTHUB__fullyQualifiedNamespace');
  return [...names].sort();
}

/** Settings the code reads that the Bicep deliberately leaves unset, with the reason. */
const NOT_SET_BY_BICEP: Record<string, string> = {
  TOKENWATCH_ALERT_SINK: 'log-only mode is for evaluation; a deployment sends to Sentinel',
  TOKENWATCH_ALLOWLIST: 'inline JSON, set by an operator (the _FILE form is a Bicep parameter)',
  TOKENWATCH_THEFT_ALLOWLIST: 'inline JSON, set by an operator (the _FILE form is a Bicep parameter)',
  TOKENWATCH_CREDENTIAL: 'its default, managedidentity, is what Azure runs; developer is for local runs',
};

describe('azure.yaml', () => {
  const azure = parse(read('azure.yaml')) as {
    name: string;
    infra: { provider: string; path: string; module: string };
    services: Record<string, { project: string; language: string; host: string; remoteBuild?: boolean }>;
  };

  it('provisions infra/main.bicep and deploys the project root as the tokenwatch function service', () => {
    expect(azure.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    expect(existsSync(join(REPO_ROOT, 'infra/main.bicep'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, 'infra/main.bicepparam'))).toBe(true);
    expect(azure.services).toEqual({ tokenwatch: { project: '.', language: 'ts', host: 'function', remoteBuild: false } });
  });

  it('finds the function app by the azd-service-name tag the Bicep puts on it', () => {
    const site = resources(readBicep('infra/modules/functionApp.bicep')).find((resource) => resource.type === 'Microsoft.Web/sites' && !resource.existing);
    expect(property(site?.body, 'tags')?.text).toContain("'azd-service-name': 'tokenwatch'");
  });

  it('passes azd the environment name and location through main.bicepparam', () => {
    const params = read('infra/main.bicepparam');
    expect(params).toMatch(/param environmentName = readEnvironmentVariable\('AZURE_ENV_NAME'/);
    expect(params).toMatch(/param location = readEnvironmentVariable\('AZURE_LOCATION'/);
  });
});

describe('.funcignore', () => {
  const lines = read('.funcignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps what the app needs at run time: dist, node_modules, data, host.json, package.json', () => {
    const dropsRuntime = lines.filter((line) => /^\/?(dist|data|node_modules|host\.json|package\.json)\/?$/.test(line) || line === '*.js' || line === '*.json');
    expect(dropsRuntime).toEqual([]);
  });

  it('leaves out sources, tests, infrastructure and local settings', () => {
    expect(lines).toEqual(expect.arrayContaining(['/local.settings.json', '/infra/', '/test/', '/src/**/*.ts', '/functions/**/*.ts']));
  });
});

describe('settings', () => {
  const example = JSON.parse(read('local.settings.example.json')) as { IsEncrypted: boolean; Values: Record<string, string> };

  it('sets in the Bicep every setting the code reads, except the documented operator-only ones', () => {
    const set = new Set(bicepSettingNames());
    expect(configSettingNames().filter((name) => !set.has(name) && !(name in NOT_SET_BY_BICEP))).toEqual([]);
  });

  it('lists every setting the code reads in local.settings.example.json, with Azurite for storage and no keys', () => {
    expect(configSettingNames().filter((name) => !(name in example.Values))).toEqual([]);
    expect(example.Values['AzureWebJobsStorage']).toBe('UseDevelopmentStorage=true');
    expect(example.Values['FUNCTIONS_WORKER_RUNTIME']).toBe('node');
    expect(Object.entries(example.Values).filter(([, value]) => /AccountKey|SharedAccessKey/i.test(value))).toEqual([]);
    expect(Object.values(example.Values).every((value) => typeof value === 'string')).toBe(true);
  });

  it('documents every setting (code and Bicep) in docs/operations.md', () => {
    const docs = read('docs/operations.md');
    const names = [...new Set([...configSettingNames(), ...bicepSettingNames()])];
    expect(names.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });
});
