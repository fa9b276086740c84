import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  bicepFiles,
  declarations,
  evaluateBool,
  line,
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
 * Fitting into the Sentinel a customer already has: with existingWorkspaceResourceId, infra/main.bicep
 * must create no Log Analytics workspace and onboard no Sentinel, and must put the alert table, its DCR,
 * the analytics rules, the workbook and the app's workspace roles into the given workspace's resource
 * group, aimed at that workspace. Read from the parsed Bicep: the conditions are evaluated for both
 * paths, so a workspace or an onboarding added anywhere without the same guard fails here.
 */

const MAIN = 'infra/main.bicep';
const main = readBicep(MAIN);
const mainVariables = variables(main);
const mainModules = modules(main);
const WORKSPACE_SCOPE = 'resourceGroup(workspaceSubscriptionId, workspaceResourceGroupName)';

function text(node: SyntaxNode | undefined): string {
  return (node?.text ?? '').replace(/\s+/g, ' ').trim();
}

function variable(name: string): string {
  return text(mainVariables.get(name));
}

function moduleFor(path: string): Module[] {
  return mainModules.filter((module) => `infra/${module.path}` === path);
}

function one<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0] as T;
}

function moduleNamed(symbol: string): Module {
  return one(
    mainModules.filter((module) => module.symbol === symbol),
    `module ${symbol}`,
  );
}

function param(module: Module, name: string): string {
  return text(property(property(module.body, 'params'), name));
}

/** main.bicep's own boolean facts for one path: an existing workspace given, or not. */
function mainEnv(existingGiven: boolean): Record<string, boolean> {
  return { useExistingWorkspace: existingGiven };
}

/**
 * Whether a resource of a module file is deployed on one path: the module's own condition (evaluated in
 * main.bicep) and the resource's condition, with each module parameter it names replaced by the value
 * main.bicep passes, evaluated in main.bicep.
 */
function deployed(resourceCondition: string | undefined, module: Module, existingGiven: boolean): boolean {
  const env = mainEnv(existingGiven);
  if (module.condition !== undefined && !evaluateBool(module.condition, env)) return false;
  if (resourceCondition === undefined) return true;
  const params = property(module.body, 'params');
  const moduleEnv: Record<string, boolean> = {};
  for (const { key, value } of params === undefined ? [] : properties(params)) {
    try {
      moduleEnv[key] = evaluateBool(value.text, env);
    } catch {
      // Not a boolean over main.bicep's facts (a name, a location): not part of any condition here.
    }
  }
  return evaluateBool(resourceCondition, moduleEnv);
}

describe('the existing-workspace parameter', () => {
  const declaration = one(
    declarations(main).filter((d) => d.kind === 'param' && d.name === 'existingWorkspaceResourceId'),
    'existingWorkspaceResourceId param',
  );

  it('is optional, empty by default (a fresh environment creates its workspace), and explains the ID it takes', () => {
    expect(declaration.defaultText).toBe("''");
    expect(declaration.description).toMatch(/^Optional\. /);
    expect(declaration.description).toContain('/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>');
    expect(declaration.description).toMatch(/Sentinel is not onboarded again/);
  });

  it('is mapped from the azd environment value TOKENWATCH_EXISTING_WORKSPACE_ID', () => {
    const params = readFileSync(join(REPO_ROOT, 'infra/main.bicepparam'), 'utf8');
    expect(params).toMatch(/^param existingWorkspaceResourceId = readEnvironmentVariable\('TOKENWATCH_EXISTING_WORKSPACE_ID', ''\)$/m);
  });

  it('switches to the existing workspace exactly when an ID is given, and takes subscription, resource group and name from it', () => {
    expect(variable('useExistingWorkspace')).toBe('!empty(existingWorkspaceResourceId)');
    expect(variable('workspaceResourceId')).toBe("useExistingWorkspace ? existingWorkspaceResourceId : resourceId('Microsoft.OperationalInsights/workspaces', names.workspace)");
    expect(variable('workspaceIdSegments')).toBe("split(workspaceResourceId, '/')");
    // /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>
    //  0      1       2        3          4       5                 6                    7        8
    const sample = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-soc/providers/Microsoft.OperationalInsights/workspaces/law-sentinel'.split('/');
    const index = (name: string): number => Number(/^workspaceIdSegments\[(\d)\]$/.exec(variable(name))?.[1]);
    expect([sample[index('workspaceSubscriptionId')], sample[index('workspaceResourceGroupName')], sample[index('workspaceName')]]).toEqual([
      '00000000-0000-0000-0000-000000000001',
      'rg-soc',
      'law-sentinel',
    ]);
  });
});

describe('with an existing workspace', () => {
  // Every declaration, anywhere under infra/, that would create a workspace or onboard Sentinel.
  const creators = bicepFiles().flatMap((file) =>
    resources(file).filter((resource) => !resource.existing && ['Microsoft.OperationalInsights/workspaces', 'Microsoft.SecurityInsights/onboardingStates'].includes(resource.type)),
  );

  it('finds the workspace and the Sentinel onboarding, in modules/workspace.bicep, deployed from main.bicep', () => {
    expect(creators.map((resource) => `${resource.file.path} ${resource.type}`).sort()).toEqual([
      'infra/modules/workspace.bicep Microsoft.OperationalInsights/workspaces',
      'infra/modules/workspace.bicep Microsoft.SecurityInsights/onboardingStates',
    ]);
    expect(creators.every((resource) => moduleFor(resource.file.path).length > 0)).toBe(true);
  });

  it('creates no Log Analytics workspace and onboards no Sentinel', () => {
    const offenders = creators.flatMap((resource) =>
      moduleFor(resource.file.path)
        .filter((module) => deployed(resource.condition, module, true))
        .map((module) => `${resource.file.path}:${line(resource.node)} ${resource.type} is deployed by module ${module.symbol} although an existing workspace is given`),
    );
    expect(offenders).toEqual([]);
  });

  it('still creates the workspace and onboards Sentinel for a fresh environment (no ID)', () => {
    const missing = creators.filter((resource) => !moduleFor(resource.file.path).some((module) => deployed(resource.condition, module, false)));
    expect(missing.map((resource) => `${resource.file.path} ${resource.type}`)).toEqual([]);
  });

  it('reads the existing workspace instead (location and customer ID come from it), never writes it', () => {
    const file = readBicep('infra/modules/workspace.bicep');
    const existing = one(
      resources(file).filter((resource) => resource.existing && resource.type === 'Microsoft.OperationalInsights/workspaces'),
      'existing workspace reference',
    );
    expect(existing.condition).toBe('(!create)');
    expect(text(property(existing.body, 'name'))).toBe('name');
    const outputs = new Map(declarations(file).filter((d) => d.kind === 'output').map((d) => [d.name, text(d.node.namedChildren[d.node.namedChildren.length - 1])]));
    expect(outputs.get('resourceId')).toBe('create ? newWorkspace.id : existingWorkspace.id');
    expect(outputs.get('location')).toBe('create ? newWorkspace!.location : existingWorkspace!.location');
    expect(outputs.get('customerId')).toBe('create ? newWorkspace!.properties.customerId : existingWorkspace!.properties.customerId');
    const workspace = moduleNamed('workspace');
    expect(param(workspace, 'name')).toBe('workspaceName');
    expect(param(workspace, 'create')).toBe('!useExistingWorkspace');
  });
});

describe('the Sentinel side goes where the workspace is', () => {
  /** Resource types that belong with the workspace, and the module files that declare them. */
  const SENTINEL_SIDE = [
    'Microsoft.OperationalInsights/workspaces',
    'Microsoft.SecurityInsights/onboardingStates',
    'Microsoft.OperationalInsights/workspaces/tables',
    'Microsoft.Insights/dataCollectionRules',
    'Microsoft.SecurityInsights/alertRules',
    'Microsoft.Insights/workbooks',
  ];

  it('deploys every table, DCR, analytics rule, workbook and workspace role assignment only through modules scoped to the workspace resource group', () => {
    const files = new Set(
      bicepFiles()
        .filter((file) => resources(file).some((resource) => !resource.existing && SENTINEL_SIDE.includes(resource.type)))
        .map((file) => file.path),
    );
    files.add('infra/modules/workspaceRoleAssignments.bicep');
    expect([...files].sort()).toEqual([
      'infra/modules/alertFeed.bicep',
      'infra/modules/sentinel.bicep',
      'infra/modules/workspace.bicep',
      'infra/modules/workspaceRoleAssignments.bicep',
    ]);
    const offenders = [...files].flatMap((path) => {
      const declared = moduleFor(path);
      if (declared.length === 0) return [`${path}: not deployed from main.bicep`];
      return declared.filter((module) => text(property(module.body, 'scope')) !== WORKSPACE_SCOPE).map((module) => `${module.symbol}: scope is ${text(property(module.body, 'scope')) || 'this resource group'}`);
    });
    expect(offenders).toEqual([]);
  });

  it('names the workspace of the given ID in every one of them', () => {
    for (const symbol of ['alertFeed', 'sentinel', 'workspaceRoleAssignments']) expect(param(moduleNamed(symbol), 'workspaceName')).toBe('workspace.outputs.name');
    const outputs = declarations(readBicep('infra/modules/workspace.bicep')).filter((d) => d.kind === 'output' && d.name === 'name');
    expect(text(one(outputs, 'name output').node.namedChildren[2])).toBe('name');
  });

  it('sends alert rows to that workspace: the DCR destination is the workspace of that name where the DCR is deployed', () => {
    const feed = readBicep('infra/modules/alertFeed.bicep');
    const workspace = one(
      resources(feed).filter((resource) => resource.type === 'Microsoft.OperationalInsights/workspaces'),
      'workspace in alertFeed.bicep',
    );
    expect(workspace.existing).toBe(true);
    expect(text(property(workspace.body, 'name'))).toBe('workspaceName');
    const dcr = one(
      resources(feed).filter((resource) => resource.type === 'Microsoft.Insights/dataCollectionRules'),
      'data collection rule',
    );
    const destinations = property(property(property(dcr.body, 'properties'), 'destinations'), 'logAnalytics')?.namedChildren.filter((node) => node.type === 'object') ?? [];
    expect(destinations.map((destination) => text(property(destination, 'workspaceResourceId')))).toEqual([`${workspace.symbol}.id`]);
  });

  it('creates the DCR in the workspace region, which is the region rule of the Logs Ingestion API', () => {
    const feed = readBicep('infra/modules/alertFeed.bicep');
    const dcr = one(
      resources(feed).filter((resource) => resource.type === 'Microsoft.Insights/dataCollectionRules'),
      'data collection rule',
    );
    expect(text(property(dcr.body, 'location'))).toBe('location');
    expect(param(moduleNamed('alertFeed'), 'location')).toBe('workspace.outputs.location');
    expect(param(moduleNamed('sentinel'), 'location')).toBe('workspace.outputs.location');
    expect(feed.text).toMatch(/must match the region of the Log Analytics workspace/);
  });

  it("grants the app's roles on the given workspace and its DCR only, Log Analytics Reader whenever a function queries the workspace", () => {
    const roles = moduleNamed('workspaceRoleAssignments');
    expect(param(roles, 'dataCollectionRuleName')).toBe('alertFeed.outputs.dataCollectionRuleName');
    expect(param(roles, 'workspaceReaderEnabled')).toBe('workspaceQueriesEnabled');
    const queries = variable('workspaceQueriesEnabled').split('||').map((part) => part.trim());
    expect(queries.sort()).toEqual(['backfillDays > 0', 'remoteUseSweepEnabled', 'sweepEnabled']);
    const file = readBicep('infra/modules/workspaceRoleAssignments.bicep');
    const symbols = new Map(resources(file).map((resource) => [resource.symbol, resource]));
    const scopes = resources(file)
      .filter((resource) => resource.type === 'Microsoft.Authorization/roleAssignments')
      .map((assignment) => {
        const scope = symbols.get(text(property(assignment.body, 'scope')));
        return `${scope?.type} ${text(property(scope?.body, 'name'))} existing=${String(scope?.existing)}`;
      });
    expect(scopes.sort()).toEqual(['Microsoft.Insights/dataCollectionRules dataCollectionRuleName existing=true', 'Microsoft.OperationalInsights/workspaces workspaceName existing=true']);
  });

  it('gives the function app the customer ID of that workspace (TOKENWATCH_WORKSPACE_ID)', () => {
    expect(param(moduleNamed('functionApp'), 'workspaceCustomerId')).toBe('workspace.outputs.customerId');
    const output = declarations(main).find((d) => d.kind === 'output' && d.name === 'TOKENWATCH_WORKSPACE_ID');
    expect(text(output?.node.namedChildren[2])).toBe('workspace.outputs.customerId');
  });

  it('keeps Application Insights in the TokenWatch resource group, storing into the Sentinel workspace unless another is given', () => {
    const appInsights = moduleNamed('appInsights');
    expect(property(appInsights.body, 'scope')).toBeUndefined();
    expect(param(appInsights, 'workspaceResourceId')).toBe('empty(appInsightsWorkspaceResourceId) ? workspace.outputs.resourceId : appInsightsWorkspaceResourceId');
  });

  it('names the cross-scope deployments per environment, so two environments can share a customer resource group', () => {
    for (const module of mainModules.filter((m) => text(property(m.body, 'scope')) === WORKSPACE_SCOPE)) {
      expect(stringValue(property(module.body, 'name'))).toBeUndefined();
      expect(text(property(module.body, 'name'))).toMatch(/^'tokenwatch-[a-z-]+-\$\{resourceToken\}'$/);
    }
  });
});
