import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  allResources,
  bicepFiles,
  declarations,
  leadingComment,
  line,
  modules,
  properties,
  property,
  readBicep,
  resources,
  stringValue,
  withoutComments,
  type BicepFile,
  type Resource,
  type SyntaxNode,
} from './bicep';

/**
 * Security policy of the Bicep, read from the source. Each test collects every offender before it
 * asserts, so one run lists all of them.
 */

const FUNCTION_APP = 'infra/modules/functionApp.bicep';
const ROLE_ASSIGNMENTS = 'infra/modules/roleAssignments.bicep';
const WORKSPACE_ROLE_ASSIGNMENTS = 'infra/modules/workspaceRoleAssignments.bicep';
const SERVICE_TAGS_READER = 'infra/modules/serviceTagsReader.bicep';

function where(resource: Resource | { file: { path: string }; node: SyntaxNode }): string {
  return `${resource.file.path}:${line(resource.node)}`;
}

function one<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0] as T;
}

function resourcesOfType(type: string, options: { existing?: boolean } = {}): Resource[] {
  return allResources().filter((resource) => resource.type === type && (options.existing === undefined || resource.existing === options.existing));
}

/** The app settings object of the function app (first argument of union(...), or the object itself). */
function appSettings(): { key: string; value: SyntaxNode; node: SyntaxNode }[] {
  const file = readBicep(FUNCTION_APP);
  const config = one(
    resources(file).filter((resource) => resource.type === 'Microsoft.Web/sites/config' && stringValue(property(resource.body, 'name')) === 'appsettings'),
    'appsettings resource',
  );
  const value = property(config.body, 'properties');
  if (value === undefined) throw new Error('appsettings has no properties');
  const objects = value.type === 'object' ? [value] : (value.childForFieldName('arguments')?.namedChildren.filter((node) => node.type === 'object') ?? []);
  return objects.flatMap(properties);
}

describe('no secrets in the Bicep', () => {
  // Functions that return keys or secrets (listKeys, listSecrets, listConnectionStrings, listAccountSas…).
  const forbidden: { pattern: RegExp; what: string }[] = [
    { pattern: /\blist[A-Z]\w*\s*\(/, what: 'a list*() call (returns keys or secrets)' },
    { pattern: /\.list[A-Z]\w*\s*\(/, what: 'a resource.list*() call (returns keys or secrets)' },
    { pattern: /AccountKey/i, what: 'an account key' },
    { pattern: /SharedAccess(Key|Signature)/i, what: 'a shared access key or signature' },
    { pattern: /\b(primary|secondary)(Key|ConnectionString)\b/i, what: 'a primary/secondary key' },
    { pattern: /DefaultEndpointsProtocol/i, what: 'a storage connection string' },
    { pattern: /connection_?string/i, what: 'a connection string' },
    { pattern: /InstrumentationKey/i, what: 'an instrumentation key' },
  ];
  // The one allowed connection string: Application Insights' ingestion string, which holds no
  // secret; the component refuses telemetry without an Entra token (checked below).
  const allowed = /^\s*APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights\.properties\.ConnectionString$/;

  it('uses no list*() call, key, SAS or connection string outside the Application Insights setting', () => {
    const offenders: string[] = [];
    for (const file of bicepFiles()) {
      withoutComments(file)
        .split('\n')
        .forEach((text, index) => {
          if (allowed.test(text) && file.path === FUNCTION_APP) return;
          for (const { pattern, what } of forbidden) if (pattern.test(text)) offenders.push(`${file.path}:${index + 1}: ${what}: ${text.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('outputs no secret: no @secure() output and no output value that reads keys or connection strings', () => {
    const offenders: string[] = [];
    for (const file of bicepFiles()) {
      for (const declaration of declarations(file).filter((d) => d.kind === 'output')) {
        const text = declaration.node.text;
        if (/key|secret|password|connectionstring|sas/i.test(text.replace(/^output\s+\w+/, ''))) offenders.push(`${file.path}:${line(declaration.node)}: ${text}`);
      }
      if (/@secure\(\)\s*output/.test(withoutComments(file))) offenders.push(`${file.path}: @secure() output`);
    }
    expect(offenders).toEqual([]);
  });

  it('turns local auth off on Application Insights and the workspace, and shared keys off on storage', () => {
    const offenders: string[] = [];
    for (const component of resourcesOfType('Microsoft.Insights/components', { existing: false })) {
      if (property(property(component.body, 'properties'), 'DisableLocalAuth')?.text !== 'true') offenders.push(`${where(component)}: DisableLocalAuth is not true`);
    }
    for (const workspace of resourcesOfType('Microsoft.OperationalInsights/workspaces', { existing: false })) {
      if (property(property(property(workspace.body, 'properties'), 'features'), 'disableLocalAuth')?.text !== 'true') offenders.push(`${where(workspace)}: features.disableLocalAuth is not true`);
    }
    const accounts = resourcesOfType('Microsoft.Storage/storageAccounts', { existing: false });
    expect(accounts.length).toBeGreaterThan(0);
    for (const account of accounts) {
      const props = property(account.body, 'properties');
      const expected: Record<string, string> = {
        allowSharedKeyAccess: 'false',
        defaultToOAuthAuthentication: 'true',
        allowBlobPublicAccess: 'false',
        supportsHttpsTrafficOnly: 'true',
        minimumTlsVersion: "'TLS1_2'",
      };
      for (const [key, value] of Object.entries(expected)) {
        const actual = property(props, key)?.text;
        if (actual !== value) offenders.push(`${where(account)}: ${key} is ${actual ?? 'missing'}, expected ${value}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps SAS on the Event Hubs namespace only because the diagnostic settings need it, and says so', () => {
    const namespace = one(resourcesOfType('Microsoft.EventHub/namespaces', { existing: false }), 'Event Hubs namespace');
    const props = property(namespace.body, 'properties');
    expect(property(props, 'minimumTlsVersion')?.text).toBe("'1.2'");
    expect(property(props, 'disableLocalAuth')?.text).toBe('false');
    // The reason must be written down next to the setting and in the file header.
    expect(namespace.file.text).toMatch(/diagnostic settings can only stream to Event\s*(\/\/\s*)?Hubs through a namespace authorization rule/i);
  });
});

describe('Event Hubs authorization rules: one Send-only rule per hub\'s writers', () => {
  const EVENT_HUBS = 'infra/modules/eventHubs.bicep';
  const file = readBicep(EVENT_HUBS);
  const symbols = new Map(resources(file).map((resource) => [resource.symbol, resource]));
  const rules = allResources().filter((resource) => /authorizationRules$/i.test(resource.type) && !resource.existing);

  /** rule type, what it hangs on (the namespace, or a hub by its name parameter) and its rights. */
  function describeRule(rule: Resource): string {
    const parent = symbols.get(property(rule.body, 'parent')?.text ?? '');
    const on = parent?.type === 'Microsoft.EventHub/namespaces' ? 'the namespace' : `hub ${property(parent?.body, 'name')?.text ?? '?'}`;
    const rights = (property(property(rule.body, 'properties'), 'rights')?.namedChildren ?? []).map((node) => stringValue(node) ?? node.text);
    return `${rule.file.path === EVENT_HUBS ? '' : `${rule.file.path}: `}${rule.type} on ${on}: ${rights.join('+')}`;
  }

  it('has exactly two rules, both Send only: the diagnostic settings\' on the namespace and the endpoint exporters\' on the endpoint hub', () => {
    expect(rules.map(describeRule).sort()).toEqual([
      'Microsoft.EventHub/namespaces/authorizationRules on the namespace: Send',
      'Microsoft.EventHub/namespaces/eventhubs/authorizationRules on hub endpointHubName: Send',
    ]);
  });

  it('grants Manage or Listen in no rule', () => {
    const offenders = rules
      .filter((rule) => /Manage|Listen/.test(property(property(rule.body, 'properties'), 'rights')?.text ?? ''))
      .map((rule) => `${where(rule)}: ${describeRule(rule)}`);
    expect(offenders).toEqual([]);
  });

  it('has a namespace-level rule only because diagnostic settings reject a rule on a hub, and says why next to it', () => {
    const namespaceRules = rules.filter((rule) => rule.type === 'Microsoft.EventHub/namespaces/authorizationRules');
    const rule = one(namespaceRules, 'namespace-level rule');
    expect(leadingComment(file, rule.node)).toMatch(/the one rule diagnostic settings accept/);
    // The service's own error for a hub-level rule, quoted with its sources in the file header.
    expect(file.text).toMatch(/eventhubs\/authorizationrules' is\s*(\/\/\s*)?invalid for property 'properties\.eventHubAuthorizationRuleId'/);
    expect(file.text).toMatch(/Azure\/azure-policy#351/);
    const output = declarations(file).find((d) => d.kind === 'output' && d.name === 'diagnosticsAuthorizationRuleId');
    expect(output?.node.namedChildren[2]?.text).toBe(`${rule.symbol}.id`);
  });

  it('uses the namespace-level rule only in diagnostic settings, and every diagnostic setting names the audit hub', () => {
    const settings = allResources().filter((resource) => /diagnosticSettings$/.test(resource.type) && !resource.existing);
    expect(settings.length).toBeGreaterThanOrEqual(4);
    const offenders: string[] = [];
    for (const setting of settings) {
      const props = property(setting.body, 'properties');
      if (property(props, 'eventHubName')?.text !== 'auditHubName') offenders.push(`${where(setting)}: eventHubName is ${property(props, 'eventHubName')?.text ?? 'missing'}, not auditHubName`);
      if (property(props, 'eventHubAuthorizationRuleId')?.text !== 'eventHubAuthorizationRuleId') offenders.push(`${where(setting)}: the rule is not the eventHubAuthorizationRuleId parameter`);
    }
    // In main.bicep the rule's ID goes to the data-plane diagnostic settings and to the output the tenant deployment takes.
    const main = withoutComments(readBicep('infra/main.bicep'));
    const uses = main.split('\n').filter((text) => text.includes('eventHubs.outputs.diagnosticsAuthorizationRuleId')).map((text) => text.trim());
    expect(uses.sort()).toEqual([
      'eventHubAuthorizationRuleId: eventHubs.outputs.diagnosticsAuthorizationRuleId',
      'eventHubAuthorizationRuleId: eventHubs.outputs.diagnosticsAuthorizationRuleId',
      'output TOKENWATCH_DIAGNOSTICS_AUTHORIZATION_RULE_ID string = eventHubs.outputs.diagnosticsAuthorizationRuleId',
    ]);
    expect(offenders).toEqual([]);
  });
});

/** GUID → built-in role name, from the Azure built-in roles reference. */
const ROLE_NAMES: Record<string, string> = {
  'a638d3c7-ab3a-418d-83e6-5f17a39d4fde': 'Azure Event Hubs Data Receiver',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1': 'Storage Blob Data Reader',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '73c42c96-874c-492b-b04d-ab87d138a893': 'Log Analytics Reader',
};

const BLOB_ROLES = ['Storage Blob Data Owner', 'Storage Blob Data Contributor', 'Storage Blob Data Reader'];
const BLOB_WRITE_ROLES = ['Storage Blob Data Owner', 'Storage Blob Data Contributor'];

/** The `var roles = { name: 'guid' }` map of a role assignment file. */
function roleVariables(file: BicepFile): Record<string, string> {
  const roles = file.root.namedChildren.find((node) => node.type === 'variable_declaration' && node.namedChildren[0]?.text === 'roles');
  const object = roles?.namedChildren[1];
  return Object.fromEntries(object === undefined ? [] : properties(object).map(({ key, value }) => [key, stringValue(value) ?? value.text]));
}

interface Assignment {
  readonly resource: Resource;
  readonly roleRef: string;
  readonly guid: string;
  readonly roleName: string;
  /** The principal expression, e.g. principalId or deploymentPrincipalId. */
  readonly principal: string;
  /** The symbol of the scope, and the resource it names in the same file (undefined: no such resource). */
  readonly scope: string;
  readonly scopeResource: Resource | undefined;
}

/** Every role assignment of a file, with its role resolved through `roles` and its scope through the file's symbols. */
function assignmentsOf(file: BicepFile): Assignment[] {
  const roles = roleVariables(file);
  const symbols = new Map(resources(file).map((resource) => [resource.symbol, resource]));
  return resources(file)
    .filter((resource) => resource.type === 'Microsoft.Authorization/roleAssignments')
    .map((resource) => {
      const props = property(resource.body, 'properties');
      const roleRef = property(props, 'roleDefinitionId')?.text.match(/roles\.(\w+)\)$/)?.[1] ?? '';
      const guid = roles[roleRef] ?? '';
      const scope = property(resource.body, 'scope')?.text ?? '';
      return {
        resource,
        roleRef,
        guid,
        roleName: ROLE_NAMES[guid] ?? `unknown role ${guid || roleRef}`,
        principal: property(props, 'principalId')?.text ?? '',
        scope,
        scopeResource: symbols.get(scope),
      };
    });
}

/** The scope resource and its parents (container -> blob service -> account), by `parent:` within the file. */
function scopeChain(file: BicepFile, resource: Resource | undefined): Resource[] {
  const symbols = new Map(resources(file).map((candidate) => [candidate.symbol, candidate]));
  const chain: Resource[] = [];
  for (let current = resource; current !== undefined; current = symbols.get(property(current.body, 'parent')?.text ?? '')) chain.push(current);
  return chain;
}

describe('least-privilege role assignments', () => {
  /**
   * The whole allowed set, per file: role, the type of the scope resource, the parameter naming it,
   * the principal, the condition. roleAssignments.bicep runs in the TokenWatch resource group;
   * workspaceRoleAssignments.bicep in the workspace's (the same group for a new workspace, the
   * customer's for an existing one). principalId is the app's identity; deploymentPrincipalId the
   * identity that only handles the deployment package.
   */
  const EXPECTED: Record<string, string[]> = {
    [ROLE_ASSIGNMENTS]: [
      'Azure Event Hubs Data Receiver -> Microsoft.EventHub/namespaces/eventhubs (auditHubName) for principalId',
      'Azure Event Hubs Data Receiver -> Microsoft.EventHub/namespaces/eventhubs (endpointHubName) for principalId',
      'Storage Blob Data Contributor -> Microsoft.Storage/storageAccounts/blobServices/containers (hostContainerName) for principalId',
      'Storage Blob Data Contributor -> Microsoft.Storage/storageAccounts/blobServices/containers (hostCredentialsContainerName) for principalId',
      'Storage Blob Data Contributor -> Microsoft.Storage/storageAccounts/blobServices/containers (checkpointContainerName) for principalId',
      'Storage Blob Data Contributor -> Microsoft.Storage/storageAccounts/blobServices/containers (serviceTagsContainerName) for principalId',
      'Storage Blob Data Contributor -> Microsoft.Storage/storageAccounts/blobServices/containers (deploymentContainerName) for deploymentPrincipalId',
      'Storage Table Data Contributor -> Microsoft.Storage/storageAccounts/tableServices/tables (stateTableName) for principalId',
      'Storage Table Data Contributor -> Microsoft.Storage/storageAccounts/tableServices/tables (rejectsTableName) for principalId',
      'Monitoring Metrics Publisher -> Microsoft.Insights/components (appInsightsName) for principalId',
    ],
    [WORKSPACE_ROLE_ASSIGNMENTS]: [
      'Monitoring Metrics Publisher -> Microsoft.Insights/dataCollectionRules (dataCollectionRuleName) for principalId',
      'Log Analytics Reader -> Microsoft.OperationalInsights/workspaces (workspaceName) for principalId if (workspaceReaderEnabled)',
    ],
  };

  it('declares role assignments only in roleAssignments.bicep, workspaceRoleAssignments.bicep and, at subscription scope, serviceTagsReader.bicep', () => {
    const allowed = [ROLE_ASSIGNMENTS, WORKSPACE_ROLE_ASSIGNMENTS, SERVICE_TAGS_READER];
    const elsewhere = resourcesOfType('Microsoft.Authorization/roleAssignments').filter((resource) => !allowed.includes(resource.file.path));
    expect(elsewhere.map(where)).toEqual([]);
  });

  it.each(Object.keys(EXPECTED))('%s grants exactly the expected roles on exactly the expected scopes', (path) => {
    const file = readBicep(path);
    const granted: string[] = [];
    const offenders: string[] = [];
    for (const assignment of assignmentsOf(file)) {
      const { resource, scope, scopeResource, roleRef, guid, principal } = assignment;
      if (scopeResource === undefined || !scopeResource.existing) {
        offenders.push(`${where(resource)}: scope ${scope} is not an existing resource of this file`);
        continue;
      }
      const scopeName = property(scopeResource.body, 'name')?.text ?? '';
      granted.push(`${assignment.roleName} -> ${scopeResource.type} (${scopeName}) for ${principal}${resource.condition === undefined ? '' : ` if ${resource.condition}`}`);

      const name = property(resource.body, 'name')?.text.replace(/\s+/g, '');
      if (name !== `guid(${scope}.id,${principal},roles.${roleRef})`) offenders.push(`${where(resource)}: name ${name} is not guid(scope, principal, role)`);
      if (property(property(resource.body, 'properties'), 'principalType')?.text !== "'ServicePrincipal'") offenders.push(`${where(resource)}: principalType is not ServicePrincipal`);
      const comment = leadingComment(file, resource.node);
      if (!comment.includes(guid) || !comment.includes(ROLE_NAMES[guid] ?? '?')) offenders.push(`${where(resource)}: the comment above does not name the role and its GUID`);
    }
    expect(offenders).toEqual([]);
    expect(granted.sort()).toEqual([...(EXPECTED[path] ?? [])].sort());
  });

  it('scopes the table role to the two TokenWatch tables and nothing wider', () => {
    const main = readBicep('infra/main.bicep');
    const text = withoutComments(main);
    expect(text).toMatch(/stateTableName: storage\.outputs\.stateTableName/);
    expect(text).toMatch(/rejectsTableName: storage\.outputs\.rejectsTableName/);
    expect(text).toMatch(/stateTable: 'TokenWatchState'/);
    expect(text).toMatch(/rejectsTable: 'TokenWatchRejects'/);
  });
});

describe('blob roles: per container, never the account, never the app on its own code', () => {
  const roleFiles = [ROLE_ASSIGNMENTS, WORKSPACE_ROLE_ASSIGNMENTS, SERVICE_TAGS_READER].map(readBicep);
  const file = readBicep(ROLE_ASSIGNMENTS);
  const main = readBicep('infra/main.bicep');
  const mainText = withoutComments(main);
  const storage = readBicep('infra/modules/storage.bicep');

  it('grants no blob data role on a storage account or blob service: every one is scoped to a single container', () => {
    const offenders = roleFiles
      .flatMap(assignmentsOf)
      .filter((assignment) => BLOB_ROLES.includes(assignment.roleName))
      .filter((assignment) => assignment.scopeResource?.type !== 'Microsoft.Storage/storageAccounts/blobServices/containers')
      .map((assignment) => `${where(assignment.resource)}: ${assignment.roleName} on ${assignment.scopeResource?.type ?? assignment.scope}`);
    expect(offenders).toEqual([]);
  });

  it('grants Storage Blob Data Owner nowhere: Contributor covers the host, which manages no ACLs', () => {
    const offenders = roleFiles
      .flatMap(assignmentsOf)
      .filter((assignment) => assignment.roleName === 'Storage Blob Data Owner')
      .map((assignment) => where(assignment.resource));
    expect(offenders).toEqual([]);
  });

  it("gives the app's identity no write role on the deployment container or anything above it", () => {
    const deployment = one(
      resources(file).filter((resource) => resource.type === 'Microsoft.Storage/storageAccounts/blobServices/containers' && property(resource.body, 'name')?.text === 'deploymentContainerName'),
      'deployment container reference',
    );
    const covering = new Set(scopeChain(file, deployment).map((resource) => resource.symbol));
    expect([...covering].sort()).toEqual([deployment.symbol, 'blobService', 'storage'].sort());
    const offenders = assignmentsOf(file)
      .filter((assignment) => assignment.principal === 'principalId' && covering.has(assignment.scope) && BLOB_WRITE_ROLES.includes(assignment.roleName))
      .map((assignment) => `${where(assignment.resource)}: ${assignment.roleName} on ${assignment.scope}`);
    expect(offenders).toEqual([]);
  });

  it('gives the deployment identity Storage Blob Data Contributor on the deployment container and nothing else', () => {
    const granted = assignmentsOf(file)
      .filter((assignment) => assignment.principal !== 'principalId')
      .map((assignment) => `${assignment.roleName} on ${property(assignment.scopeResource?.body, 'name')?.text ?? assignment.scope} for ${assignment.principal}`);
    expect(granted).toEqual(['Storage Blob Data Contributor on deploymentContainerName for deploymentPrincipalId']);
    const workspaceRoles = assignmentsOf(readBicep(WORKSPACE_ROLE_ASSIGNMENTS)).map((assignment) => assignment.principal);
    expect(workspaceRoles.every((principal) => principal === 'principalId')).toBe(true);
  });

  it('wires two different identities in main.bicep: the app\'s for the code, the deployment one for roles on the package only', () => {
    const moduleNamed = (symbol: string) => one(modules(main).filter((module) => module.symbol === symbol), `module ${symbol}`);
    const param = (symbol: string, name: string) => property(property(moduleNamed(symbol).body, 'params'), name)?.text;
    expect(moduleNamed('identity').path).toBe('modules/identity.bicep');
    expect(moduleNamed('deploymentIdentity').path).toBe('modules/identity.bicep');
    expect([param('identity', 'name'), param('deploymentIdentity', 'name')]).toEqual(['names.identity', 'names.deploymentIdentity']);
    expect(param('roleAssignments', 'principalId')).toBe('identity.outputs.principalId');
    expect(param('roleAssignments', 'deploymentPrincipalId')).toBe('deploymentIdentity.outputs.principalId');
    expect(param('functionApp', 'identityResourceId')).toBe('identity.outputs.resourceId');
    expect(param('functionApp', 'identityClientId')).toBe('identity.outputs.clientId');
    expect(param('functionApp', 'deploymentIdentityResourceId')).toBe('deploymentIdentity.outputs.resourceId');
    // The deployment identity's client ID is never handed to the app: no setting names it.
    expect(mainText).not.toMatch(/deploymentIdentity\.outputs\.clientId/);
    expect(withoutComments(readBicep(FUNCTION_APP))).not.toMatch(/deploymentIdentityClientId/);
  });

  it('scopes every container role to a container storage.bicep creates private, under the name main.bicep gives it', () => {
    const containerParams = assignmentsOf(file)
      .filter((assignment) => assignment.scopeResource?.type === 'Microsoft.Storage/storageAccounts/blobServices/containers')
      .map((assignment) => property(assignment.scopeResource?.body, 'name')?.text ?? '');
    expect([...new Set(containerParams)].sort()).toEqual(['checkpointContainerName', 'deploymentContainerName', 'hostContainerName', 'hostCredentialsContainerName', 'serviceTagsContainerName']);
    const created = new Map(
      resources(storage)
        .filter((resource) => resource.type === 'Microsoft.Storage/storageAccounts/blobServices/containers' && !resource.existing)
        .map((resource) => [property(resource.body, 'name')?.text ?? '', resource]),
    );
    const storageOutputs = new Map(declarations(storage).filter((d) => d.kind === 'output').map((d) => [d.name, d.node.namedChildren[2]?.text ?? '']));
    const offenders: string[] = [];
    for (const name of new Set(containerParams)) {
      const container = created.get(name);
      if (container === undefined) {
        offenders.push(`storage.bicep creates no container named by ${name}`);
        continue;
      }
      if (property(property(container.body, 'properties'), 'publicAccess')?.text !== "'None'") offenders.push(`${where(container)}: publicAccess is not None`);
      if (storageOutputs.get(name) !== `${container.symbol}.name`) offenders.push(`storage.bicep output ${name} is not ${container.symbol}.name`);
      if (!new RegExp(`^    ${name}: storage\\.outputs\\.${name}$`, 'm').test(mainText)) offenders.push(`main.bicep does not pass ${name}: storage.outputs.${name} to roleAssignments`);
    }
    expect(offenders).toEqual([]);
    // The host's own containers, by the names the runtime and the Event Hubs extension use.
    expect(mainText).toMatch(/hostContainer: 'azure-webjobs-hosts'/);
    expect(mainText).toMatch(/hostCredentialsContainer: 'azure-webjobs-secrets'/);
    expect(mainText).toMatch(/checkpointContainer: 'azure-webjobs-eventhub'/);
  });
});

describe('the service tags reader role (Service Tag Discovery API)', () => {
  const file = readBicep(SERVICE_TAGS_READER);
  const text = withoutComments(file);
  const definition = one(resources(file).filter((resource) => resource.type === 'Microsoft.Authorization/roleDefinitions'), 'role definition');
  const assignment = one(resources(file).filter((resource) => resource.type === 'Microsoft.Authorization/roleAssignments'), 'role assignment');
  const permissions = property(property(definition.body, 'properties'), 'permissions');

  /** The string items of an array node. */
  function strings(node: SyntaxNode | undefined): string[] {
    return (node?.namedChildren ?? []).filter((child) => child.type !== 'comment').map((child) => stringValue(child) ?? child.text);
  }

  it('is a custom role with exactly one action, Microsoft.Network/locations/serviceTags/read, and no data actions', () => {
    expect(property(property(definition.body, 'properties'), 'type')?.text).toBe("'CustomRole'");
    const entries = (permissions?.namedChildren ?? []).filter((node) => node.type === 'object');
    expect(entries).toHaveLength(1);
    const entry = entries[0];
    expect({
      actions: strings(property(entry, 'actions')),
      notActions: strings(property(entry, 'notActions')),
      dataActions: strings(property(entry, 'dataActions')),
      notDataActions: strings(property(entry, 'notDataActions')),
    }).toEqual({ actions: ['Microsoft.Network/locations/serviceTags/read'], notActions: [], dataActions: [], notDataActions: [] });
    // No wildcard anywhere in the role: `*/read` would be Reader on the whole subscription.
    expect(definition.body.text).not.toMatch(/\*/);
  });

  it('can be assigned in this subscription only, and is assigned there, to the app identity, under guid(scope, principal, role)', () => {
    expect(text).toMatch(/^targetScope = 'subscription'$/m);
    expect(property(property(definition.body, 'properties'), 'assignableScopes')?.text.replace(/\s+/g, '')).toBe('[subscription().id]');
    // No scope property: a subscription-scoped file deploys the assignment on the subscription itself.
    expect(property(assignment.body, 'scope')).toBeUndefined();
    const props = property(assignment.body, 'properties');
    expect(property(props, 'roleDefinitionId')?.text).toBe(`${definition.symbol}.id`);
    expect(property(props, 'principalId')?.text).toBe('principalId');
    expect(property(props, 'principalType')?.text).toBe("'ServicePrincipal'");
    expect(property(assignment.body, 'name')?.text.replace(/\s+/g, '')).toBe(`guid(subscription().id,principalId,${definition.symbol}.id)`);
    // The role is named in the comment above the assignment, with how its GUID is made.
    expect(leadingComment(file, assignment.node)).toMatch(/TokenWatch Service Tag Reader.*guid\(subscription\(\)\.id, 'TokenWatch Service Tag Reader'\)/);
    expect(property(definition.body, 'name')?.text).toBe("guid(subscription().id, 'TokenWatch Service Tag Reader')");
  });

  it('is deployed from main.bicep at subscription scope, only when the refresh is enabled, for the app identity', () => {
    const main = withoutComments(readBicep('infra/main.bicep'));
    const module = main.slice(main.indexOf("module serviceTagsReader 'modules/serviceTagsReader.bicep' = if (serviceTagsRefreshEnabled) {"));
    expect(module).toMatch(/^module serviceTagsReader [^\n]*\n(?:  [^\n]*\n)*?  scope: subscription\(\)\n/);
    expect(module).toMatch(/^module serviceTagsReader [^\n]*\n(?:  [^\n]*\n)*?    principalId: identity\.outputs\.principalId\n/);
    // The app learns the subscription (and so registers the timer) only where the role is assigned.
    const functionApp = withoutComments(readBicep(FUNCTION_APP));
    expect(functionApp).toMatch(/serviceTagsRefreshEnabled \? \{ TOKENWATCH_SUBSCRIPTION_ID: subscription\(\)\.subscriptionId \} : \{\}/);
  });

  it('grants blob access for the stored tags on their container only, which storage.bicep creates private', () => {
    const storage = readBicep('infra/modules/storage.bicep');
    const container = one(
      resources(storage).filter((resource) => resource.type === 'Microsoft.Storage/storageAccounts/blobServices/containers' && property(resource.body, 'name')?.text === 'serviceTagsContainerName'),
      'service tags container',
    );
    expect(property(property(container.body, 'properties'), 'publicAccess')?.text).toBe("'None'");
    // The app's only role on the service tags is Storage Blob Data Contributor on this container.
    const onTags = assignmentsOf(readBicep(ROLE_ASSIGNMENTS)).filter((assignment) => property(assignment.scopeResource?.body, 'name')?.text === 'serviceTagsContainerName');
    expect(onTags.map((assignment) => `${assignment.roleName} for ${assignment.principal}`)).toEqual(['Storage Blob Data Contributor for principalId']);
    expect(withoutComments(readBicep('infra/main.bicep'))).toMatch(/serviceTagsContainer: 'tokenwatch-service-tags'/);
  });
});

describe('identity-based connections', () => {
  const REQUIRED_SETTINGS = [
    'AzureWebJobsStorage__credential',
    'AzureWebJobsStorage__clientId',
    'AzureWebJobsStorage__blobServiceUri',
    'AzureWebJobsStorage__queueServiceUri',
    'AzureWebJobsStorage__tableServiceUri',
    'TOKENWATCH_EVENTHUB__fullyQualifiedNamespace',
    'TOKENWATCH_EVENTHUB__credential',
    'TOKENWATCH_EVENTHUB__clientId',
    'TOKENWATCH_AUDIT_HUB',
    'TOKENWATCH_AUDIT_CONSUMER_GROUP',
    'TOKENWATCH_ENDPOINT_HUB',
    'TOKENWATCH_ENDPOINT_CONSUMER_GROUP',
    'AZURE_CLIENT_ID',
    'TOKENWATCH_TABLE_ENDPOINT',
    'TOKENWATCH_STATE_TABLE',
    'TOKENWATCH_REJECTS_TABLE',
    'TOKENWATCH_DCR_ENDPOINT',
    'TOKENWATCH_DCR_IMMUTABLE_ID',
    'TOKENWATCH_DCR_STREAM',
    'TOKENWATCH_WORKSPACE_ID',
    'TOKENWATCH_SWEEP_ENABLED',
    'TOKENWATCH_SWEEP_SCHEDULE',
    'TOKENWATCH_REMOTE_USE_SWEEP_ENABLED',
    'TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE',
    'TOKENWATCH_BACKFILL_DAYS',
    'TOKENWATCH_CACHE_IDENTITIES',
    'TOKENWATCH_CACHE_ROWS',
    'TOKENWATCH_DEDUP_DAYS',
    'TOKENWATCH_TOKEN_BUCKET_SHARDS',
    'TOKENWATCH_BLOB_ENDPOINT',
    'TOKENWATCH_SERVICE_TAGS_CONTAINER',
    'TOKENWATCH_SERVICE_TAGS_LOCATION',
    'TOKENWATCH_SERVICE_TAGS_SCHEDULE',
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
    'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  ];

  /** Connection prefixes the functions use: the fixed ones plus any `connection: '…'` found in functions/. */
  function connectionPrefixes(): string[] {
    const found = new Set(['TOKENWATCH_EVENTHUB']);
    const dir = join(REPO_ROOT, 'functions');
    if (existsSync(dir)) {
      for (const name of readdirSync(dir, { recursive: true }) as string[]) {
        if (!name.endsWith('.ts')) continue;
        for (const match of readFileSync(join(dir, name), 'utf8').matchAll(/connection:\s*'([^']+)'/g)) if (match[1] !== undefined) found.add(match[1]);
      }
    }
    return [...found].sort();
  }

  it('sets every app setting the code reads, each once', () => {
    const keys = appSettings().map((setting) => setting.key);
    expect(REQUIRED_SETTINGS.filter((name) => !keys.includes(name))).toEqual([]);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });

  it('configures every connection the functions use with fullyQualifiedNamespace, managedidentity credential and the identity client id', () => {
    const settings = new Map(appSettings().map((setting) => [setting.key, setting.value.text]));
    const offenders: string[] = [];
    for (const prefix of connectionPrefixes()) {
      if (!settings.has(`${prefix}__fullyQualifiedNamespace`)) offenders.push(`${prefix}__fullyQualifiedNamespace missing`);
      if (settings.get(`${prefix}__credential`) !== "'managedidentity'") offenders.push(`${prefix}__credential is ${settings.get(`${prefix}__credential`)}`);
      if (settings.get(`${prefix}__clientId`) !== 'identityClientId') offenders.push(`${prefix}__clientId is ${settings.get(`${prefix}__clientId`)}`);
      if (settings.has(prefix)) offenders.push(`${prefix} is set as a plain (connection string) setting`);
    }
    if (settings.get('AzureWebJobsStorage__credential') !== "'managedidentity'") offenders.push('AzureWebJobsStorage__credential is not managedidentity');
    if (settings.get('AzureWebJobsStorage__clientId') !== 'identityClientId') offenders.push('AzureWebJobsStorage__clientId is not the identity');
    if (settings.has('AzureWebJobsStorage')) offenders.push('AzureWebJobsStorage is set as a connection string');
    if (settings.get('AZURE_CLIENT_ID') !== 'identityClientId') offenders.push('AZURE_CLIENT_ID is not the identity');
    if (settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING') !== "'ClientId=${identityClientId};Authorization=AAD'") offenders.push('APPLICATIONINSIGHTS_AUTHENTICATION_STRING is not Entra auth with the identity');
    expect(offenders).toEqual([]);
  });

  it('sets every %SETTING% a function binding refers to', () => {
    const keys = new Set(appSettings().map((setting) => setting.key));
    const dir = join(REPO_ROOT, 'functions');
    const missing: string[] = [];
    if (existsSync(dir)) {
      for (const name of readdirSync(dir, { recursive: true }) as string[]) {
        if (!name.endsWith('.ts')) continue;
        for (const match of readFileSync(join(dir, name), 'utf8').matchAll(/'%([A-Za-z0-9_]+)%'/g)) if (match[1] !== undefined && !keys.has(match[1])) missing.push(`${name}: %${match[1]}%`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('runs the app as its user-assigned identity, and reads the deployment package with the separate deployment identity', () => {
    const site = one(resourcesOfType('Microsoft.Web/sites', { existing: false }), 'function app');
    const identity = property(site.body, 'identity');
    expect(property(identity, 'type')?.text).toBe("'UserAssigned'");
    const attached = properties(property(identity, 'userAssignedIdentities') as SyntaxNode).map(({ key }) => key);
    expect(attached.sort()).toEqual(["'${deploymentIdentityResourceId}'", "'${identityResourceId}'"]);
    const storage = property(property(property(property(site.body, 'properties'), 'functionAppConfig'), 'deployment'), 'storage');
    expect(property(property(storage, 'authentication'), 'type')?.text).toBe("'UserAssignedIdentity'");
    expect(property(property(storage, 'authentication'), 'userAssignedIdentityResourceId')?.text).toBe('deploymentIdentityResourceId');
    // No app setting refers to the deployment identity: the code and the host run as identityClientId.
    expect(appSettings().filter((setting) => /deploymentIdentity/.test(setting.value.text)).map((setting) => setting.key)).toEqual([]);
  });
});

describe('secure defaults and the hosting plan', () => {
  it('serves the app over HTTPS only, TLS 1.2, no FTP, no basic publishing credentials', () => {
    const site = one(resourcesOfType('Microsoft.Web/sites', { existing: false }), 'function app');
    const props = property(site.body, 'properties');
    const siteConfig = property(props, 'siteConfig');
    const offenders: string[] = [];
    const expect_ = (actual: string | undefined, wanted: string, what: string) => {
      if (actual !== wanted) offenders.push(`${what} is ${actual ?? 'missing'}, expected ${wanted}`);
    };
    expect_(property(props, 'httpsOnly')?.text, 'true', 'httpsOnly');
    expect_(property(siteConfig, 'minTlsVersion')?.text, "'1.2'", 'minTlsVersion');
    expect_(property(siteConfig, 'scmMinTlsVersion')?.text, "'1.2'", 'scmMinTlsVersion');
    expect_(property(siteConfig, 'ftpsState')?.text, "'Disabled'", 'ftpsState');
    const policies = resourcesOfType('Microsoft.Web/sites/basicPublishingCredentialsPolicies', { existing: false });
    const disabled = policies.filter((policy) => property(property(policy.body, 'properties'), 'allow')?.text === 'false').map((policy) => stringValue(property(policy.body, 'name')));
    expect_(disabled.sort().join(','), 'ftp,scm', 'basic publishing credentials disabled for');
    expect(offenders).toEqual([]);
  });

  it('runs on Flex Consumption FC1 with Node 22', () => {
    const plan = one(resourcesOfType('Microsoft.Web/serverfarms', { existing: false }), 'plan');
    expect(property(property(plan.body, 'sku'), 'name')?.text).toBe("'FC1'");
    expect(property(property(plan.body, 'sku'), 'tier')?.text).toBe("'FlexConsumption'");
    const site = one(resourcesOfType('Microsoft.Web/sites', { existing: false }), 'function app');
    const runtime = property(property(property(site.body, 'properties'), 'functionAppConfig'), 'runtime');
    expect([property(runtime, 'name')?.text, property(runtime, 'version')?.text]).toEqual(["'node'", "'22'"]);
  });

  it('documents the public network access choice of every resource that has one', () => {
    const offenders: string[] = [];
    for (const file of bicepFiles()) {
      for (const declaration of declarations(file).filter((d) => d.kind === 'param' && /PublicNetworkAccess|publicNetworkAccess/.test(d.name))) {
        if (!/Disabled/.test(declaration.description ?? '')) offenders.push(`${file.path}: ${declaration.name} does not say what Disabled needs`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('parameters and outputs', () => {
  it('describes every param and output; params say Required. or Optional. and only Optional ones have defaults', () => {
    const offenders: string[] = [];
    for (const file of bicepFiles()) {
      for (const declaration of declarations(file)) {
        const at = `${file.path}:${line(declaration.node)} ${declaration.kind} ${declaration.name}`;
        const description = declaration.description ?? '';
        if (description.trim() === '') {
          offenders.push(`${at}: no @description`);
          continue;
        }
        if (declaration.kind !== 'param') continue;
        if (!/^(Required|Optional)\. \S/.test(description)) offenders.push(`${at}: description does not start with 'Required. ' or 'Optional. '`);
        if (description.startsWith('Required.') && declaration.hasDefault) offenders.push(`${at}: Required but has a default`);
        if (description.startsWith('Optional.') && !declaration.hasDefault) offenders.push(`${at}: Optional but has no default`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('API versions', () => {
  // Versions confirmed against the Bicep type index or current Microsoft samples.
  const CONFIRMED: Record<string, string> = {
    'Microsoft.ManagedIdentity/userAssignedIdentities': '2023-01-31',
    'Microsoft.Storage/storageAccounts': '2024-01-01',
    'Microsoft.Storage/storageAccounts/blobServices': '2024-01-01',
    'Microsoft.Storage/storageAccounts/blobServices/containers': '2024-01-01',
    'Microsoft.Storage/storageAccounts/tableServices': '2024-01-01',
    'Microsoft.Storage/storageAccounts/tableServices/tables': '2024-01-01',
    'Microsoft.KeyVault/vaults': '2023-07-01',
    'Microsoft.EventHub/namespaces': '2024-01-01',
    'Microsoft.EventHub/namespaces/eventhubs': '2024-01-01',
    'Microsoft.EventHub/namespaces/eventhubs/consumergroups': '2024-01-01',
    'Microsoft.EventHub/namespaces/authorizationRules': '2024-01-01',
    'Microsoft.EventHub/namespaces/eventhubs/authorizationRules': '2024-01-01',
    'Microsoft.EventHub/namespaces/networkRuleSets': '2024-01-01',
    // Azure-Samples/azure-functions-flex-consumption-samples E2E/HTTP-VNET-EH/infra/core/networking/privateEndpoint.bicep.
    'Microsoft.Network/privateEndpoints': '2024-01-01',
    'Microsoft.Network/privateEndpoints/privateDnsZoneGroups': '2024-01-01',
    'Microsoft.Network/privateDnsZones': '2020-06-01',
    'Microsoft.Network/privateDnsZones/virtualNetworkLinks': '2020-06-01',
    'Microsoft.OperationalInsights/workspaces': '2025-02-01',
    'Microsoft.OperationalInsights/workspaces/tables': '2025-02-01',
    // Azure/bicep-types-az generated/operationalinsights/microsoft.operationalinsights/2025-02-01/types.md
    // (SavedSearchProperties: category, displayName, functionAlias, functionParameters, query, tags, version).
    'Microsoft.OperationalInsights/workspaces/savedSearches': '2025-02-01',
    'Microsoft.SecurityInsights/onboardingStates': '2025-06-01',
    'Microsoft.SecurityInsights/alertRules': '2025-06-01',
    'Microsoft.Insights/components': '2020-02-02',
    'Microsoft.Insights/dataCollectionRules': '2023-03-11',
    'Microsoft.Insights/workbooks': '2022-04-01',
    'Microsoft.Insights/diagnosticSettings': '2021-05-01-preview',
    'microsoft.aadiam/diagnosticSettings': '2017-04-01',
    'Microsoft.Web/serverfarms': '2024-04-01',
    'Microsoft.Web/sites': '2024-04-01',
    'Microsoft.Web/sites/config': '2024-04-01',
    'Microsoft.Web/sites/basicPublishingCredentialsPolicies': '2024-04-01',
    'Microsoft.Authorization/roleAssignments': '2022-04-01',
    'Microsoft.Authorization/roleDefinitions': '2022-04-01',
  };

  it('uses only confirmed resource types and API versions', () => {
    const offenders = allResources()
      .filter((resource) => CONFIRMED[resource.type] !== resource.apiVersion)
      .map((resource) => `${where(resource)}: ${resource.type}@${resource.apiVersion}`);
    expect(offenders).toEqual([]);
  });
});
