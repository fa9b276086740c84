import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  allResources,
  declarations,
  evaluateBool,
  modules,
  properties,
  property,
  readBicep,
  resources,
  stringValue,
  variables,
  type Module,
  type SyntaxNode,
} from './bicep';

/**
 * The data-plane diagnostic settings (infra/modules/dataPlaneDiagnostics.bicep): Key Vault AuditEvent
 * and blob StorageRead (StorageWrite and StorageDelete on request) streamed to the audit hub through
 * the Send-only rule, the storage setting on <account>/blobServices/default, one module per chosen
 * resource in that resource's own resource group, none by default.
 */

const MODULE = 'infra/modules/dataPlaneDiagnostics.bicep';
const file = readBicep(MODULE);
const vars = variables(file);
const main = readBicep('infra/main.bicep');
const mainVariables = variables(main);

function text(node: SyntaxNode | undefined): string {
  return (node?.text ?? '').replace(/\s+/g, ' ').trim();
}

/** The string items of an array variable, following concat() of array variables and a bool ternary. */
function arrayVariable(name: string, env: Record<string, boolean>): string[] {
  const node = vars.get(name);
  if (node === undefined) throw new Error(`no variable ${name}`);
  if (node.type === 'array') return node.namedChildren.filter((child) => child.type !== 'comment').map((child) => stringValue(child) ?? child.text);
  const ternary = /^(\w+) \? (.+) : (\w+)$/.exec(text(node));
  if (ternary !== null) return arrayExpression(evaluateBool(ternary[1] ?? '', env) ? (ternary[2] ?? '') : (ternary[3] ?? ''), env);
  throw new Error(`unsupported variable ${name}: ${text(node)}`);
}

function arrayExpression(expression: string, env: Record<string, boolean>): string[] {
  const concat = /^concat\((.+)\)$/.exec(expression);
  if (concat !== null) return (concat[1] ?? '').split(',').flatMap((part) => arrayVariable(part.trim(), env));
  return arrayVariable(expression, env);
}

const settings = resources(file).filter((resource) => resource.type === 'Microsoft.Insights/diagnosticSettings');
const symbols = new Map(resources(file).map((resource) => [resource.symbol, resource]));

/** The categories one diagnostic setting streams, for a given value of storageWriteDeleteLogs. */
function categories(setting: (typeof settings)[number], storageWriteDeleteLogs: boolean): string[] {
  const logs = property(property(setting.body, 'properties'), 'logs');
  const loop = logs?.type === 'for_statement' ? logs : undefined;
  const [, array, body] = loop?.namedChildren ?? [];
  if (text(property(body, 'category')) !== 'category' || text(property(body, 'enabled')) !== 'true') throw new Error(`${setting.symbol}: logs are not [for category in …: { category, enabled: true }]`);
  return arrayExpression(text(array), { storageWriteDeleteLogs });
}

/** The setting deployed for a kind (KeyVault or StorageBlob), by evaluating each setting's condition. */
function settingFor(kind: string): (typeof settings)[number] {
  const isVault = text(vars.get('isVault'));
  expect(isVault).toBe("kind == 'KeyVault'");
  const env = { isVault: kind === 'KeyVault' };
  const deployed = settings.filter((setting) => setting.condition !== undefined && evaluateBool(setting.condition, env));
  expect(deployed).toHaveLength(1);
  return deployed[0] as (typeof settings)[number];
}

describe('the data-plane diagnostic settings module', () => {
  it('takes the kind of resource from a closed list', () => {
    const kind = declarations(file).find((d) => d.kind === 'param' && d.name === 'kind');
    expect(kind?.decorators.get('allowed')?.[0]?.replace(/\s+/g, ' ')).toBe("[ 'KeyVault' 'StorageBlob' ]");
    expect(settings).toHaveLength(2);
  });

  it('streams AuditEvent from a Key Vault, and nothing else', () => {
    const setting = settingFor('KeyVault');
    expect(categories(setting, false)).toEqual(['AuditEvent']);
    expect(categories(setting, true)).toEqual(['AuditEvent']);
    expect(symbols.get(text(property(setting.body, 'scope')))?.type).toBe('Microsoft.KeyVault/vaults');
  });

  it('streams StorageRead from a blob service, plus StorageWrite and StorageDelete only on request', () => {
    const setting = settingFor('StorageBlob');
    expect(categories(setting, false)).toEqual(['StorageRead']);
    expect(categories(setting, true)).toEqual(['StorageRead', 'StorageWrite', 'StorageDelete']);
    expect(declarations(file).find((d) => d.name === 'storageWriteDeleteLogs')?.defaultText).toBe('false');
  });

  it('puts the storage setting on <account>/blobServices/default, never on the storage account', () => {
    const scope = symbols.get(text(property(settingFor('StorageBlob').body, 'scope')));
    expect(scope?.type).toBe('Microsoft.Storage/storageAccounts/blobServices');
    expect(scope?.existing).toBe(true);
    expect(stringValue(property(scope?.body, 'name'))).toBe('default');
    expect(symbols.get(text(property(scope?.body, 'parent')))?.type).toBe('Microsoft.Storage/storageAccounts');
    // Anywhere under infra/: a diagnostic setting scoped to a storage account resource would carry no blob log.
    const onAccounts = allResources()
      .filter((resource) => resource.type === 'Microsoft.Insights/diagnosticSettings')
      .filter((resource) => {
        const target = resources(resource.file).find((candidate) => candidate.symbol === text(property(resource.body, 'scope')));
        return target?.type === 'Microsoft.Storage/storageAccounts';
      })
      .map((resource) => `${resource.file.path} ${resource.symbol}`);
    expect(onAccounts).toEqual([]);
  });

  it('sends only to the audit hub, through the authorization rule by resource ID with the hub named', () => {
    for (const setting of settings) {
      const props = property(setting.body, 'properties');
      expect(properties(props as SyntaxNode).map(({ key }) => key).sort()).toEqual(['eventHubAuthorizationRuleId', 'eventHubName', 'logs']);
      expect(text(property(props, 'eventHubAuthorizationRuleId'))).toBe('eventHubAuthorizationRuleId');
      expect(text(property(props, 'eventHubName'))).toBe('auditHubName');
    }
  });
});

describe('the data-plane diagnostic settings in main.bicep', () => {
  const declared = modules(main).filter((module) => module.path === 'modules/dataPlaneDiagnostics.bicep');
  const byKind = (kind: string): Module | undefined => declared.find((module) => stringValue(property(property(module.body, 'params'), 'kind')) === kind);

  it('deploys one module per listed Key Vault and per listed storage account, none by default', () => {
    expect(declared.map((module) => `${stringValue(property(property(module.body, 'params'), 'kind'))} for ${module.loop?.item} in ${module.loop?.array}`).sort()).toEqual([
      'KeyVault for vaultId in dataPlaneKeyVaultIds',
      'StorageBlob for accountId in dataPlaneStorageAccountIds',
    ]);
    expect(text(mainVariables.get('dataPlaneKeyVaultIds'))).toBe('filter(dataPlaneKeyVaultResourceIds, id => !empty(trim(id)))');
    expect(text(mainVariables.get('dataPlaneStorageAccountIds'))).toBe('filter(dataPlaneStorageAccountResourceIds, id => !empty(trim(id)))');
    const params = new Map(declarations(main).filter((d) => d.kind === 'param').map((d) => [d.name, d.defaultText]));
    expect([params.get('dataPlaneKeyVaultResourceIds'), params.get('dataPlaneStorageAccountResourceIds'), params.get('dataPlaneStorageWriteDeleteLogs')]).toEqual(['[]', '[]', 'false']);
  });

  it("deploys each into the resource's own resource group and names the resource by the last segment of its ID", () => {
    for (const module of declared) {
      const item = module.loop?.item ?? '?';
      expect(text(property(module.body, 'scope'))).toBe(`resourceGroup(split(${item}, '/')[2], split(${item}, '/')[4])`);
      expect(text(property(property(module.body, 'params'), 'resourceName'))).toBe(`last(split(${item}, '/'))`);
      // Deployment names are unique per resource.
      expect(text(property(module.body, 'name'))).toContain(`\${uniqueString(${item})}`);
    }
  });

  it("uses the audit hub and the namespace's Send-only authorization rule, as the Entra and Activity-log settings do", () => {
    for (const module of declared) {
      const params = property(module.body, 'params');
      expect(text(property(params, 'eventHubAuthorizationRuleId'))).toBe('eventHubs.outputs.diagnosticsAuthorizationRuleId');
      expect(text(property(params, 'auditHubName'))).toBe('eventHubs.outputs.auditHubName');
    }
    expect(text(property(property(byKind('StorageBlob')?.body, 'params'), 'storageWriteDeleteLogs'))).toBe('dataPlaneStorageWriteDeleteLogs');
    const eventHubs = readBicep('infra/modules/eventHubs.bicep');
    const output = declarations(eventHubs).find((d) => d.kind === 'output' && d.name === 'diagnosticsAuthorizationRuleId');
    expect(text(output?.node.namedChildren[2])).toBe('diagnosticsSendRule.id');
  });

  it('is mapped from comma-separated azd environment values', () => {
    const params = readFileSync(join(REPO_ROOT, 'infra/main.bicepparam'), 'utf8');
    expect(params).toMatch(/^param dataPlaneKeyVaultResourceIds = split\(readEnvironmentVariable\('TOKENWATCH_DATA_PLANE_KEY_VAULT_IDS', ''\), ','\)$/m);
    expect(params).toMatch(/^param dataPlaneStorageAccountResourceIds = split\(readEnvironmentVariable\('TOKENWATCH_DATA_PLANE_STORAGE_ACCOUNT_IDS', ''\), ','\)$/m);
    expect(params).toMatch(/^param dataPlaneStorageWriteDeleteLogs = bool\(readEnvironmentVariable\('TOKENWATCH_DATA_PLANE_STORAGE_WRITE_DELETE', 'false'\)\)$/m);
  });
});
