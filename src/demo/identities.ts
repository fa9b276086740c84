import type { ActivityOperation, GraphRequest } from './azureRecords';
import { ACCESS_BLOCKS, AZURE_BLOCKS, ipv4InBlock, type AddressBlock, type AzureRegion } from './networks';
import type { Random } from './random';

/**
 * The cast of the demo tenant: managed identities of every kind, plus principals that are not
 * managed identities and must therefore never raise a remote-use alert.
 */

export const DEMO_TENANT_ID = '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f';
export const DEMO_SUBSCRIPTIONS = {
  production: '3b8e5f0a-9c2d-4e7f-a1b4-c6d8e0f2a4b6',
  development: '9d4c7a1e-2b5f-4c8e-b3a6-d9e1f4a7c2b5',
} as const;

export type IdentityKind = 'virtualMachine' | 'userAssignedIdentity' | 'aksCluster' | 'functionApp' | 'arcMachine';

/** A stable address outside Azure that an identity legitimately uses (an office, a data centre, a partner). */
export interface OnPremisesAccess {
  readonly ip: string;
  readonly asn: number;
  readonly organization: string;
  /** Why the identity's token is used from there, in one sentence. */
  readonly story: string;
}

export interface DemoIdentity {
  readonly kind: IdentityKind;
  /** `servicePrincipalName`: the resource name (system-assigned) or the identity's own name (user-assigned). */
  readonly name: string;
  /** ARM id of the owning resource: the `xms_mirid` claim. */
  readonly resourceId: string;
  /** Object id of the identity's service principal (`servicePrincipalId`, the objectidentifier claim). */
  readonly servicePrincipalId: string;
  /** Client id (`appId`, the `appid` claim). */
  readonly appId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly region: AzureRegion;
  /** The small, stable set of Azure outbound addresses the workload calls from (empty for Arc machines). */
  readonly azureIps: readonly string[];
  /** Legitimate use from outside Azure; always set for Arc machines (they run on premises). */
  readonly onPremises: OnPremisesAccess | null;
  /** Whether the workload also calls Microsoft Graph. */
  readonly usesGraph: boolean;
  readonly userAgent: string;
  readonly operations: readonly ActivityOperationWithTarget[];
  readonly graphRequests: readonly GraphRequest[];
}

export interface ActivityOperationWithTarget {
  readonly operation: ActivityOperation;
  /** ARM id of the resource the operation acts on. */
  readonly target: string;
}

/** A principal that is NOT a managed identity: its external use is someone else's business. */
export interface DemoPrincipal {
  readonly kind: 'servicePrincipal' | 'user';
  readonly name: string;
  readonly objectId: string;
  readonly appId: string;
  /** Users only. */
  readonly upn: string;
  readonly ip: string;
  readonly asn: number;
  readonly usesGraph: boolean;
  readonly usesArm: boolean;
}

const OPS = {
  listKeys: {
    operationName: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION',
    action: 'Microsoft.Storage/storageAccounts/listKeys/action',
    role: 'Storage Account Key Operator Service Role',
    roleDefinitionId: '81a9662bbebf436fa333f67b29880f12',
  },
  containerWrite: {
    operationName: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/BLOBSERVICES/CONTAINERS/WRITE',
    action: 'Microsoft.Storage/storageAccounts/blobServices/containers/write',
    role: 'Storage Account Contributor',
    roleDefinitionId: '17d1049b9a8446fb8f53869881c3d3ab',
  },
  secretWrite: {
    operationName: 'MICROSOFT.KEYVAULT/VAULTS/SECRETS/WRITE',
    action: 'Microsoft.KeyVault/vaults/secrets/write',
    role: 'Key Vault Contributor',
    roleDefinitionId: 'f25e0fa2a7c84377a97654943a77a395',
  },
  secretRead: {
    operationName: 'MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ',
    action: 'Microsoft.KeyVault/vaults/secrets/read',
    role: 'Key Vault Contributor',
    roleDefinitionId: 'f25e0fa2a7c84377a97654943a77a395',
  },
  siteConfigList: {
    operationName: 'MICROSOFT.WEB/SITES/CONFIG/LIST/ACTION',
    action: 'Microsoft.Web/sites/config/list/action',
    role: 'Website Contributor',
    roleDefinitionId: 'de139f84175647ae9be6808fbbe84772',
  },
  clusterUserCredential: {
    operationName: 'MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/LISTCLUSTERUSERCREDENTIAL/ACTION',
    action: 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
    role: 'Azure Kubernetes Service Cluster User Role',
    roleDefinitionId: '4abbcc35e78243d892c52d3f1bd2253f',
  },
  deploymentWrite: {
    operationName: 'MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE',
    action: 'Microsoft.Resources/deployments/write',
    role: 'Contributor',
    roleDefinitionId: 'b24988ac618042a0ab8820f7382dd24c',
  },
  snapshotWrite: {
    operationName: 'MICROSOFT.COMPUTE/SNAPSHOTS/WRITE',
    action: 'Microsoft.Compute/snapshots/write',
    role: 'Virtual Machine Contributor',
    roleDefinitionId: '9980e02cc2be4d7394e8173b1dc7cf3c',
  },
  runCommand: {
    operationName: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION',
    action: 'Microsoft.Compute/virtualMachines/runCommand/action',
    role: 'Virtual Machine Contributor',
    roleDefinitionId: '9980e02cc2be4d7394e8173b1dc7cf3c',
  },
} as const satisfies Record<string, ActivityOperation>;

export const ACTIVITY_OPERATIONS: Readonly<Record<keyof typeof OPS, ActivityOperation>> = OPS;

const GRAPH = 'https://graph.microsoft.com';
/** What workloads ask Graph for, with the application permission each needs. */
export const GRAPH_REQUESTS: readonly GraphRequest[] = [
  { method: 'GET', uri: `${GRAPH}/v1.0/users?$select=id,displayName,userPrincipalName`, roles: 'User.Read.All', status: 200 },
  { method: 'GET', uri: `${GRAPH}/v1.0/groups?$filter=startswith(displayName,'sg-contoso')`, roles: 'Group.Read.All', status: 200 },
  { method: 'GET', uri: `${GRAPH}/v1.0/sites/root/lists`, roles: 'Sites.Read.All', status: 200 },
  { method: 'POST', uri: `${GRAPH}/v1.0/users/reports@contoso.com/sendMail`, roles: 'Mail.Send', status: 202 },
  { method: 'GET', uri: `${GRAPH}/v1.0/servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000'`, roles: 'Application.Read.All', status: 200 },
  { method: 'GET', uri: `${GRAPH}/v1.0/auditLogs/signIns?$top=50`, roles: 'AuditLog.Read.All', status: 200 },
];

/** What an attacker holding a stolen token asks Graph for: directory-wide discovery. */
export const ATTACKER_GRAPH_REQUESTS: readonly GraphRequest[] = [
  { method: 'GET', uri: `${GRAPH}/v1.0/users`, roles: 'User.Read.All Group.Read.All', status: 200 },
  { method: 'GET', uri: `${GRAPH}/beta/roleManagement/directory/roleAssignments?$expand=principal`, roles: 'User.Read.All Group.Read.All', status: 200 },
  { method: 'GET', uri: `${GRAPH}/v1.0/applications?$select=id,appId,displayName,passwordCredentials`, roles: 'User.Read.All Group.Read.All', status: 403 },
];

const USER_AGENTS: Readonly<Record<IdentityKind, string>> = {
  virtualMachine: 'azsdk-net-Identity/1.11.4 (.NET 8.0.8; Microsoft Windows 10.0.20348)',
  userAssignedIdentity: 'azsdk-python-identity/1.17.1 Python/3.11.9 (Linux-5.15.0-1071-azure-x86_64-with-glibc2.35)',
  aksCluster: 'azsdk-go-azidentity/v1.7.0 (go1.22.5; linux)',
  functionApp: 'azsdk-js-identity/4.4.1 core-rest-pipeline/1.16.3 Node/v20.15.1 OS/(x64-Linux-5.15.164.1-1.cm2)',
  arcMachine: 'PowerShell/7.4.5 Az.Accounts/3.0.4',
};

const NAME_PARTS: Readonly<Record<IdentityKind, readonly string[]>> = {
  virtualMachine: ['build', 'web', 'app', 'sql', 'jump', 'batch', 'report', 'etl', 'print', 'erp'],
  userAssignedIdentity: ['deploy', 'backup', 'ingest', 'monitor', 'keyrotate', 'reports', 'dataexport', 'billing', 'sync', 'archive'],
  aksCluster: ['gateway', 'orders', 'payments', 'search', 'platform', 'analytics', 'catalog', 'identity'],
  functionApp: ['invoices', 'thumbnails', 'notify', 'webhooks', 'cleanup', 'scheduler', 'import', 'audit'],
  arcMachine: ['fs01', 'sql02', 'dc03', 'print04'],
};

/** Kinds of the non-Arc identities, in the order the catalog cycles through them. */
const CLOUD_KINDS: readonly IdentityKind[] = ['virtualMachine', 'userAssignedIdentity', 'aksCluster', 'functionApp'];

/** 2: the demo always has two Azure Arc machines (one per on-premises site). */
export const ARC_MACHINE_COUNT = 2;
/** The smallest catalog that still gives every planted story its own identity. */
export const MIN_DEMO_IDENTITIES = 12;

function resourcePath(subscriptionId: string, resourceGroup: string, provider: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/${provider}/${name}`;
}

function targetsFor(kind: IdentityKind, subscriptionId: string, name: string, random: Random): ActivityOperationWithTarget[] {
  const rg = (suffix: string) => `/subscriptions/${subscriptionId}/resourceGroups/rg-contoso-${suffix}`;
  const storage = `${rg('data')}/providers/Microsoft.Storage/storageAccounts/stcontoso${random.pick(['data', 'logs', 'backup'])}01`;
  const vault = `${rg('security')}/providers/Microsoft.KeyVault/vaults/kv-contoso-${random.pick(['prod', 'app', 'ops'])}`;
  const candidates: ActivityOperationWithTarget[] = [
    { operation: OPS.listKeys, target: storage },
    { operation: OPS.containerWrite, target: `${storage}/blobServices/default/containers/${name}` },
    { operation: OPS.secretWrite, target: `${vault}/secrets/${name}-secret` },
  ];
  switch (kind) {
    case 'virtualMachine':
      candidates.push({ operation: OPS.snapshotWrite, target: `${rg('compute')}/providers/Microsoft.Compute/snapshots/snap-${name}` });
      break;
    case 'userAssignedIdentity':
      candidates.push({ operation: OPS.deploymentWrite, target: `${rg('app')}/providers/Microsoft.Resources/deployments/${name}-release` });
      break;
    case 'aksCluster':
      candidates.push({ operation: OPS.clusterUserCredential, target: `${rg('aks')}/providers/Microsoft.ContainerService/managedClusters/${name}` });
      break;
    case 'functionApp':
      candidates.push({ operation: OPS.siteConfigList, target: `${rg('func')}/providers/Microsoft.Web/sites/${name}/config/appsettings` });
      break;
    case 'arcMachine':
      candidates.push({ operation: OPS.deploymentWrite, target: `${rg('arc')}/providers/Microsoft.Resources/deployments/${name}-patch` });
      break;
  }
  return random.sample(candidates, random.int(2, 3));
}

interface KindPlan {
  readonly kind: IdentityKind;
  readonly ordinal: number;
}

/** Arc machines first, then the cloud kinds in turn, so every kind is present from 12 identities up. */
function planKinds(count: number): KindPlan[] {
  const plans: KindPlan[] = [];
  const seen = new Map<IdentityKind, number>();
  for (let i = 0; i < count; i++) {
    const kind = i < ARC_MACHINE_COUNT ? 'arcMachine' : (CLOUD_KINDS[(i - ARC_MACHINE_COUNT) % CLOUD_KINDS.length] as IdentityKind);
    const ordinal = seen.get(kind) ?? 0;
    seen.set(kind, ordinal + 1);
    plans.push({ kind, ordinal });
  }
  return plans;
}

function identityName(kind: IdentityKind, ordinal: number): string {
  const parts = NAME_PARTS[kind];
  const part = parts[ordinal % parts.length] as string;
  const n = String(Math.floor(ordinal / parts.length) + 1).padStart(2, '0');
  switch (kind) {
    case 'virtualMachine':
      return `vm-contoso-${part}-${n}`;
    case 'userAssignedIdentity':
      return `id-contoso-${part}${ordinal < parts.length ? '' : `-${n}`}`;
    case 'aksCluster':
      return `aks-contoso-${part}-${n}`;
    case 'functionApp':
      return `func-contoso-${part}${ordinal < parts.length ? '' : `-${n}`}`;
    case 'arcMachine':
      return `arc-contoso-${part}${ordinal < parts.length ? '' : `-${n}`}`;
  }
}

function owningResource(kind: IdentityKind, subscriptionId: string, name: string): { resourceGroup: string; resourceId: string } {
  switch (kind) {
    case 'virtualMachine':
      return { resourceGroup: 'rg-contoso-compute', resourceId: resourcePath(subscriptionId, 'rg-contoso-compute', 'Microsoft.Compute/virtualMachines', name) };
    case 'userAssignedIdentity':
      return {
        resourceGroup: 'rg-contoso-identity',
        resourceId: resourcePath(subscriptionId, 'rg-contoso-identity', 'Microsoft.ManagedIdentity/userAssignedIdentities', name),
      };
    case 'aksCluster':
      return { resourceGroup: 'rg-contoso-aks', resourceId: resourcePath(subscriptionId, 'rg-contoso-aks', 'Microsoft.ContainerService/managedClusters', name) };
    case 'functionApp':
      return { resourceGroup: 'rg-contoso-func', resourceId: resourcePath(subscriptionId, 'rg-contoso-func', 'Microsoft.Web/sites', name) };
    case 'arcMachine':
      return { resourceGroup: 'rg-contoso-arc', resourceId: resourcePath(subscriptionId, 'rg-contoso-arc', 'Microsoft.HybridCompute/machines', name) };
  }
}

function addressIn(block: AddressBlock, random: Random): string {
  return ipv4InBlock(block.cidr, random.int(0, 2_000_000));
}

/** Legitimate outside-Azure use, by the role the catalog gives an identity (see `buildDemoIdentities`). */
function onPremisesFor(kind: IdentityKind, ordinal: number, random: Random): OnPremisesAccess | null {
  const at = (block: AddressBlock, story: string): OnPremisesAccess => ({
    ip: addressIn(block, random),
    asn: block.asn,
    organization: block.organization,
    story,
  });
  if (kind === 'arcMachine') {
    return ordinal === 0
      ? at(ACCESS_BLOCKS.deutscheTelekom, 'Arc-enabled file server in the Frankfurt office, behind the office internet line.')
      : at(ACCESS_BLOCKS.vodafone, 'Arc-enabled SQL server in the Düsseldorf data centre.');
  }
  if (ordinal !== 0) return null;
  switch (kind) {
    case 'userAssignedIdentity':
      return at(ACCESS_BLOCKS.deutscheTelekom, 'Federated to the self-hosted CI runner in the Frankfurt office, which deploys with it.');
    case 'virtualMachine':
      return at(ACCESS_BLOCKS.vodafone, 'Build VM whose ARM calls leave through the partner network (forced tunnelling).');
    case 'aksCluster':
      return at(ACCESS_BLOCKS.comcast, 'Cluster egress is routed through the US office firewall.');
    case 'functionApp':
      return null;
  }
}

/**
 * The managed identities of the demo tenant. Roles by position (the planted stories rely on them):
 * Arc machine 0/1 run on premises; the first VM, user-assigned identity and AKS cluster also have a
 * legitimate outside-Azure footprint; every other identity lives only on Azure addresses.
 */
export function buildDemoIdentities(count: number, random: Random): DemoIdentity[] {
  if (!Number.isInteger(count) || count < MIN_DEMO_IDENTITIES) {
    throw new RangeError(`identities: need an integer of at least ${MIN_DEMO_IDENTITIES}, got ${count}.`);
  }
  const europe: AzureRegion[] = ['westeurope', 'northeurope', 'swedencentral', 'uksouth'];
  const america: AzureRegion[] = ['eastus', 'eastus2', 'centralus', 'westus2'];
  return planKinds(count).map(({ kind, ordinal }) => {
    const name = identityName(kind, ordinal);
    const subscriptionId = ordinal % 3 === 2 ? DEMO_SUBSCRIPTIONS.development : DEMO_SUBSCRIPTIONS.production;
    const { resourceGroup, resourceId } = owningResource(kind, subscriptionId, name);
    const region = random.chance(0.75) ? random.pick(europe) : random.pick(america);
    const blocks = AZURE_BLOCKS[region];
    const onPremises = onPremisesFor(kind, ordinal, random);
    const azureIps =
      kind === 'arcMachine' ? [] : Array.from({ length: random.int(1, 3) }, () => addressIn(random.pick(blocks), random));
    return {
      kind,
      name,
      resourceId,
      servicePrincipalId: random.guid(),
      appId: random.guid(),
      subscriptionId,
      resourceGroup,
      region,
      azureIps: [...new Set(azureIps)],
      onPremises,
      // The graph-using half: user-assigned identities, clusters and functions talk to Graph; VMs and Arc machines mostly not.
      usesGraph: kind === 'userAssignedIdentity' || kind === 'aksCluster' || kind === 'functionApp' || random.chance(0.25),
      userAgent: USER_AGENTS[kind],
      operations: targetsFor(kind, subscriptionId, name, random),
      graphRequests: random.sample(GRAPH_REQUESTS, random.int(1, 3)),
    };
  });
}

/** Two app registrations and one administrator: external use, no managed identity, never an alert. */
export function buildDemoPrincipals(random: Random): DemoPrincipal[] {
  const principal = (
    kind: DemoPrincipal['kind'],
    name: string,
    upn: string,
    block: AddressBlock,
    usesArm: boolean,
    usesGraph: boolean,
    appId?: string,
  ): DemoPrincipal => ({
    kind,
    name,
    objectId: random.guid(),
    // Users sign in through the Azure portal's app id; app registrations have their own.
    appId: appId ?? random.guid(),
    upn,
    ip: addressIn(block, random),
    asn: block.asn,
    usesArm,
    usesGraph,
  });
  return [
    principal('servicePrincipal', 'sp-contoso-release-pipeline', '', ACCESS_BLOCKS.deutscheTelekomB, true, false),
    principal('servicePrincipal', 'sp-fabrikam-crm-connector', '', ACCESS_BLOCKS.vodafoneB, false, true),
    principal('user', 'Adele Vance', 'adele.vance@contoso.com', ACCESS_BLOCKS.deutscheTelekom, true, true, 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c'),
  ];
}
