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
  type Resource,
  type SyntaxNode,
} from './bicep';

/**
 * The private-network option (main.bicep privateNetworkEnabled, modules/privateNetwork.bicep,
 * docs/deploy.md "Private network"), read from the source and evaluated both ways: on, storage and
 * Event Hubs refuse public traffic, the four private endpoints exist with their DNS, the app is
 * VNet-integrated and the namespace still lets the diagnostic settings in as a trusted service; off,
 * none of it is deployed.
 */

const main = readBicep('infra/main.bicep');
const mainVariables = variables(main);
const storage = readBicep('infra/modules/storage.bicep');
const eventHubs = readBicep('infra/modules/eventHubs.bicep');
const functionApp = readBicep('infra/modules/functionApp.bicep');
// Read on use: on a layout without the module, the tests that need it fail one by one.
const privateNetworkFile = (): ReturnType<typeof readBicep> => readBicep('infra/modules/privateNetwork.bicep');

type Env = Readonly<Record<string, boolean | string>>;

function text(node: SyntaxNode | undefined): string {
  return (node?.text ?? '').replace(/\s+/g, ' ').trim();
}

/** A condition: `<bool expression>` or `<identifier> == '<string>'`, with values from env. */
function condition(expression: string, env: Env): boolean {
  const equality = /^(\w+) == '([^']*)'$/.exec(expression.trim());
  if (equality !== null) {
    const value = env[equality[1] ?? ''];
    if (typeof value !== 'string') throw new Error(`no string value for ${equality[1]} in ${expression}`);
    return value === equality[2];
  }
  const booleans = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean'));
  return evaluateBool(expression, booleans);
}

/** Evaluates `cond ? a : b` (or a plain value) to the chosen branch's source text; identifiers in env are replaced by their value. */
function evaluate(expression: string, env: Env): string {
  const ternary = /^(.+?) \? (.+) : (.+)$/.exec(expression.trim());
  if (ternary !== null) return evaluate(condition(ternary[1] ?? '', env) ? (ternary[2] ?? '') : (ternary[3] ?? ''), env);
  const value = env[expression.trim()];
  return typeof value === 'string' ? `'${value}'` : expression.trim();
}

function moduleNamed(symbol: string): Module {
  const found = modules(main).filter((module) => module.symbol === symbol);
  if (found.length !== 1) throw new Error(`expected one module ${symbol}, found ${found.length}`);
  return found[0] as Module;
}

function param(module: Module, name: string): string {
  return text(property(property(module.body, 'params'), name));
}

function resourceOfType(file: ReturnType<typeof readBicep>, type: string): Resource {
  const found = resources(file).filter((resource) => resource.type === type && !resource.existing);
  if (found.length !== 1) throw new Error(`expected one ${type} in ${file.path}, found ${found.length}`);
  return found[0] as Resource;
}

/** The body object of a `[for … in …: …]` resource (through an `if (…)` filter), and the array it loops over. */
function loop(resource: Resource): { array: string; body: SyntaxNode | undefined; filter: string | undefined } {
  if (resource.body.type !== 'for_statement') throw new Error(`${resource.symbol} is not a loop`);
  const children = resource.body.namedChildren;
  const last = children[children.length - 1];
  const array = text(children[children.length - 2]);
  if (last?.type === 'if_statement') return { array, body: last.namedChildren[1], filter: text(last.namedChildren[0]) };
  return { array, body: last, filter: undefined };
}

/** The storage account's public network access and default action, and the namespace's, for a value of the switch. */
function networkState(privateNetworkEnabled: boolean): Record<string, string> {
  const env: Env = { privateNetworkEnabled };
  const access = evaluate(text(mainVariables.get('privateNetworkAccess')), env);
  const accessValue = /^'([^']*)'$/.exec(access)?.[1] ?? access;

  // storage.bicep: publicNetworkAccess and the networkAcls variable chosen by it.
  const account = resourceOfType(storage, 'Microsoft.Storage/storageAccounts');
  const accountProps = property(account.body, 'properties');
  const storageEnv: Env = { publicNetworkAccess: accessValue };
  const aclsVariable = evaluate(text(property(accountProps, 'networkAcls')), storageEnv);
  const acls = variables(storage).get(aclsVariable);

  // eventHubs.bicep: the namespace property and the network rule set.
  const namespace = resourceOfType(eventHubs, 'Microsoft.EventHub/namespaces');
  const ruleSet = resourceOfType(eventHubs, 'Microsoft.EventHub/namespaces/networkRuleSets');
  const ruleProps = property(ruleSet.body, 'properties');

  return {
    storageModule: param(moduleNamed('storage'), 'publicNetworkAccess'),
    eventHubsModule: param(moduleNamed('eventHubs'), 'publicNetworkAccess'),
    access: accessValue,
    storagePublicNetworkAccess: text(property(accountProps, 'publicNetworkAccess')),
    storageDefaultAction: text(property(acls, 'defaultAction')),
    namespacePublicNetworkAccess: text(property(property(namespace.body, 'properties'), 'publicNetworkAccess')),
    ruleSetPublicNetworkAccess: text(property(ruleProps, 'publicNetworkAccess')),
    ruleSetDefaultAction: evaluate(text(property(ruleProps, 'defaultAction')), storageEnv),
    trustedServiceAccessEnabled: text(property(ruleProps, 'trustedServiceAccessEnabled')),
    privateNetworkModuleDeployed: String(condition(moduleNamed('privateNetwork').condition ?? 'false', env)),
    virtualNetworkSubnetId: evaluate(param(moduleNamed('functionApp'), 'virtualNetworkSubnetId'), env),
  };
}

describe('the private network option: parameters', () => {
  const params = new Map(declarations(main).filter((d) => d.kind === 'param').map((d) => [d.name, d]));

  it('is off by default, and takes the two subnets and the optional DNS zones as parameters', () => {
    expect(params.get('privateNetworkEnabled')?.defaultText).toBe('false');
    for (const name of ['appSubnetResourceId', 'privateEndpointSubnetResourceId', 'privateDnsZoneBlobResourceId', 'privateDnsZoneQueueResourceId', 'privateDnsZoneTableResourceId', 'privateDnsZoneEventHubsResourceId']) {
      expect(params.get(name)?.defaultText, name).toBe("''");
    }
    // The old per-service switches are gone: public access follows the one option, so it cannot be
    // turned off without the private endpoints that keep the app working.
    expect(params.has('storagePublicNetworkAccess')).toBe(false);
    expect(params.has('eventHubsPublicNetworkAccess')).toBe(false);
    expect(params.get('privateNetworkEnabled')?.description).toMatch(/docs\/deploy\.md, "Private network"/);
  });

  it('is mapped from azd environment values in main.bicepparam', () => {
    const bicepparam = readFileSync(join(REPO_ROOT, 'infra/main.bicepparam'), 'utf8');
    expect(bicepparam).toMatch(/^param privateNetworkEnabled = bool\(readEnvironmentVariable\('TOKENWATCH_PRIVATE_NETWORK', 'false'\)\)$/m);
    expect(bicepparam).toMatch(/^param appSubnetResourceId = readEnvironmentVariable\('TOKENWATCH_APP_SUBNET_ID', ''\)$/m);
    expect(bicepparam).toMatch(/^param privateEndpointSubnetResourceId = readEnvironmentVariable\('TOKENWATCH_PRIVATE_ENDPOINT_SUBNET_ID', ''\)$/m);
    for (const [name, env] of [
      ['Blob', 'BLOB'],
      ['Queue', 'QUEUE'],
      ['Table', 'TABLE'],
      ['EventHubs', 'EVENTHUBS'],
    ]) {
      expect(bicepparam).toMatch(new RegExp(`^param privateDnsZone${name}ResourceId = readEnvironmentVariable\\('TOKENWATCH_PRIVATE_DNS_ZONE_${env}_ID', ''\\)$`, 'm'));
    }
  });
});

describe('with the private network option on', () => {
  const on = (): Record<string, string> => networkState(true);

  it('turns public network access off on the storage account, which then denies by default', () => {
    const state = on();
    expect([state.storageModule, state.access, state.storagePublicNetworkAccess, state.storageDefaultAction]).toEqual(['privateNetworkAccess', 'Disabled', 'publicNetworkAccess', "'Deny'"]);
  });

  it('turns public network access off on the Event Hubs namespace, and keeps the trusted-services exception the diagnostic settings come in through', () => {
    const state = on();
    expect([state.eventHubsModule, state.namespacePublicNetworkAccess, state.ruleSetPublicNetworkAccess, state.ruleSetDefaultAction]).toEqual(['privateNetworkAccess', 'publicNetworkAccess', 'publicNetworkAccess', "'Deny'"]);
    expect(state.trustedServiceAccessEnabled).toBe('true');
    const ruleSet = resourceOfType(eventHubs, 'Microsoft.EventHub/namespaces/networkRuleSets');
    expect(stringValue(property(ruleSet.body, 'name'))).toBe('default');
    expect(eventHubs.text).toMatch(/Azure Monitor \(Diagnostic Settings and Action\s*(\/\/\s*)?Groups\)" is a trusted service/);
  });

  it('deploys private endpoints for blob, queue, table and the namespace, in the given subnet, each registered in a private DNS zone', () => {
    expect(on().privateNetworkModuleDeployed).toBe('true');
    const privateNetwork = privateNetworkFile();
    const privateNetworkModule = moduleNamed('privateNetwork');
    expect(privateNetworkModule.path).toBe('modules/privateNetwork.bicep');
    expect(param(privateNetworkModule, 'privateEndpointSubnetResourceId')).toBe('privateEndpointSubnetResourceId');
    expect(param(privateNetworkModule, 'storageAccountName')).toBe('storage.outputs.name');
    expect(param(privateNetworkModule, 'eventHubsNamespaceName')).toBe('eventHubs.outputs.name');

    const endpoints = variables(privateNetwork).get('endpoints');
    const entries = (endpoints?.namedChildren ?? []).filter((node) => node.type === 'object');
    const symbols = new Map(resources(privateNetwork).map((resource) => [resource.symbol, resource]));
    const described = entries.map((entry) => {
      const target = symbols.get(text(property(entry, 'serviceResourceId')).replace(/\.id$/, ''));
      return `${stringValue(property(entry, 'groupId'))} -> ${target?.type ?? '?'}`;
    });
    expect(described).toEqual([
      'blob -> Microsoft.Storage/storageAccounts',
      'queue -> Microsoft.Storage/storageAccounts',
      'table -> Microsoft.Storage/storageAccounts',
      'namespace -> Microsoft.EventHub/namespaces',
    ]);

    const privateEndpoints = resourceOfType(privateNetwork, 'Microsoft.Network/privateEndpoints');
    const endpointLoop = loop(privateEndpoints);
    expect([endpointLoop.array, endpointLoop.filter]).toEqual(['endpoints', undefined]);
    const props = property(endpointLoop.body, 'properties');
    expect(text(property(property(props, 'subnet'), 'id'))).toBe('privateEndpointSubnetResourceId');
    const connection = property(props, 'privateLinkServiceConnections')?.namedChildren.find((node) => node.type === 'object');
    const connectionProps = property(connection, 'properties');
    expect(text(property(connectionProps, 'privateLinkServiceId'))).toBe('endpoint.serviceResourceId');
    expect(text(property(connectionProps, 'groupIds'))).toBe('[ endpoint.groupId ]');

    // One DNS zone group per endpoint, on the given zone or the one created here.
    const zoneGroups = resourceOfType(privateNetwork, 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups');
    const groupLoop = loop(zoneGroups);
    expect([groupLoop.array, groupLoop.filter, text(property(groupLoop.body, 'parent'))]).toEqual(['endpoints', undefined, 'privateEndpoints[i]']);
    expect(text(groupLoop.body)).toContain('privateDnsZoneId: empty(endpoint.zoneResourceId) ? zones[i].id : endpoint.zoneResourceId');
    const zones = loop(resourceOfType(privateNetwork, 'Microsoft.Network/privateDnsZones'));
    const links = loop(resourceOfType(privateNetwork, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks'));
    expect([zones.filter, links.filter]).toEqual(['(empty(endpoint.zoneResourceId))', '(empty(endpoint.zoneResourceId))']);
    expect(entries.map((entry) => text(property(entry, 'zoneName')))).toEqual([
      "'privatelink.blob.${environment().suffixes.storage}'",
      "'privatelink.queue.${environment().suffixes.storage}'",
      "'privatelink.table.${environment().suffixes.storage}'",
      'eventHubsPrivateDnsZoneName',
    ]);
  });

  it('integrates the function app with the given subnet through virtualNetworkSubnetId, and starts it after the endpoints exist', () => {
    expect(on().virtualNetworkSubnetId).toBe('appSubnetResourceId');
    const site = resourceOfType(functionApp, 'Microsoft.Web/sites');
    expect(text(property(property(site.body, 'properties'), 'virtualNetworkSubnetId'))).toBe('empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId');
    expect(text(property(moduleNamed('functionApp').body, 'dependsOn'))).toContain('privateNetwork');
  });
});

describe('with the private network option off', () => {
  const off = (): Record<string, string> => networkState(false);

  it('deploys none of it: storage and Event Hubs stay public (Entra ID auth only), no private endpoint, no VNet integration', () => {
    expect(off()).toEqual({
      storageModule: 'privateNetworkAccess',
      eventHubsModule: 'privateNetworkAccess',
      access: 'Enabled',
      storagePublicNetworkAccess: 'publicNetworkAccess',
      storageDefaultAction: "'Allow'",
      namespacePublicNetworkAccess: 'publicNetworkAccess',
      ruleSetPublicNetworkAccess: 'publicNetworkAccess',
      ruleSetDefaultAction: "'Allow'",
      trustedServiceAccessEnabled: 'true',
      privateNetworkModuleDeployed: 'false',
      virtualNetworkSubnetId: "''",
    });
  });

  it('declares private endpoints, private DNS zones and their links nowhere but modules/privateNetwork.bicep', () => {
    const elsewhere = allResources()
      .filter((resource) => resource.type.startsWith('Microsoft.Network/') && !resource.existing)
      .filter((resource) => resource.file.path !== 'infra/modules/privateNetwork.bicep')
      .map((resource) => `${resource.file.path} ${resource.type}`);
    expect(elsewhere).toEqual([]);
    const declaring = modules(main).filter((module) => module.path === 'modules/privateNetwork.bicep');
    expect(declaring.map((module) => `${module.symbol} if ${module.condition}`)).toEqual(['privateNetwork if (privateNetworkEnabled)']);
    expect(properties(property(moduleNamed('privateNetwork').body, 'params') as SyntaxNode).length).toBeGreaterThan(0);
  });
});
