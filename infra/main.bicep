// TokenWatch environment: the function app and everything it reads, writes and reports to, in one
// resource group, except the Sentinel side when an existing workspace is given (below).
// `azd up` deploys it (azure.yaml); so does
//   az deployment group create -g <rg> --template-file infra/main.bicep --parameters infra/main.bicepparam
// The Entra ID and Activity-log diagnostic settings that feed the audit hub need tenant/subscription
// rights and are deployed separately: infra/tenant/entra-diagnostics.bicep (see docs/deploy.md).
// One module does reach the subscription: the custom role that lets the app read the Azure service
// tags (modules/serviceTagsReader.bicep, switched off with serviceTagsRefreshEnabled = false).
//
// The Sentinel side (the alert table and its data collection rule, the analytics rules, the workbook
// and the app's roles there) goes wherever the Log Analytics workspace is: by default a new workspace in
// this resource group with Sentinel onboarded; with existingWorkspaceResourceId, the customer's
// workspace, which may be in another resource group or subscription and already has Sentinel: it is
// then neither created nor onboarded again, and those modules are deployed into its resource group.
// Optionally, dataPlaneKeyVaultResourceIds / dataPlaneStorageAccountResourceIds add diagnostic settings
// that stream Key Vault and blob logs to the audit hub (modules/dataPlaneDiagnostics.bicep), and
// privateNetworkEnabled takes storage and Event Hubs off the public network: private endpoints in the
// customer's subnet, VNet integration of the app (modules/privateNetwork.bicep, docs/deploy.md).
targetScope = 'resourceGroup'

@description('Required. Name of the environment (azd environment name); part of every resource name and the tag azd-env-name.')
@minLength(1)
@maxLength(40)
param environmentName string

@description('Optional. Azure region for all resources. Must offer Flex Consumption and Microsoft Sentinel.')
param location string = resourceGroup().location

@description('Optional. Tags added to every resource.')
param tags object = {}

@description('Optional. Partitions per Event Hub: the upper bound on parallel instances per function. Fixed after creation on the Standard tier.')
@minValue(1)
@maxValue(32)
param eventHubPartitionCount int = 4

@description('Optional. Throughput units of the Event Hubs namespace, shared by both hubs (1 unit = 1 MB/s or 1,000 events/s in). Raise it for busy data-plane logs (docs/deploy.md).')
@minValue(1)
@maxValue(20)
param eventHubThroughputUnits int = 1

@description('Optional. Days a new workspace and the alert table keep data.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 90

@description('Optional. Resource ID of an existing Log Analytics workspace with Microsoft Sentinel already on (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>), in any resource group or subscription of the tenant. The alert table, its data collection rule (in the workspace region), the analytics rules, the workbook and the app\'s roles there are deployed into its resource group; no workspace is created and Sentinel is not onboarded again. Empty: create a new workspace in this resource group and onboard Sentinel.')
param existingWorkspaceResourceId string = ''

@description('Optional. Resource ID of the Log Analytics workspace that stores the app\'s Application Insights telemetry. Empty: the Sentinel workspace (new or existing).')
param appInsightsWorkspaceResourceId string = ''

@description('Optional. Run the tokenTheftSweep timer function (queries the workspace; the app then holds Log Analytics Reader on it).')
param sweepEnabled bool = false

@description('Optional. NCRONTAB schedule of the theft sweep (six fields, seconds first).')
param sweepSchedule string = '0 */5 * * * *'

@description('Optional. Run the remoteTokenUseSweep timer function (queries the workspace; the app then holds Log Analytics Reader on it).')
param remoteUseSweepEnabled bool = false

@description('Optional. NCRONTAB schedule of the remote-use sweep (six fields, seconds first).')
param remoteUseSweepSchedule string = '0 */5 * * * *'

@description('Optional. Days of workspace history the backfill reads (TOKENWATCH_BACKFILL_DAYS; the app then holds Log Analytics Reader on the workspace). 0: no backfill.')
@minValue(0)
@maxValue(30)
param backfillDays int = 0

@description('Optional. Resource IDs of Key Vaults whose AuditEvent log streams to the audit hub (one diagnostic setting each, modules/dataPlaneDiagnostics.bicep). Any resource group or subscription, but the same region as the Event Hubs namespace (location). Empty strings are ignored. Empty: none.')
param dataPlaneKeyVaultResourceIds array = []

@description('Optional. Resource IDs of storage accounts whose blob service log (StorageRead) streams to the audit hub (one diagnostic setting each, on <account>/blobServices/default). Any resource group or subscription, but the same region as the Event Hubs namespace (location). Empty strings are ignored. Empty: none.')
param dataPlaneStorageAccountResourceIds array = []

@description('Optional. Also stream StorageWrite and StorageDelete from the storage accounts in dataPlaneStorageAccountResourceIds.')
param dataPlaneStorageWriteDeleteLogs bool = false

@description('Optional. Create the Sentinel analytics rules enabled.')
param analyticsRulesEnabled bool = true

@description('Optional. What a usual external use (IP and ASN in the identity\'s 30-day baseline) becomes (TOKENWATCH_USUAL_EXTERNAL): alert, a Low alert every 5 days; exposure, one daily exposure row per identity that the analytics rule does not raise and the workbook shows (docs/operations.md).')
@allowed([
  'alert'
  'exposure'
])
param usualExternal string = 'alert'

@description('Optional. Path, inside the deployed package, of a ServiceTags_Public JSON file (TOKENWATCH_SERVICE_TAGS_FILE). Empty: not set.')
param serviceTagsFile string = ''

@description('Optional. Refresh the Azure service tags daily from the Service Tag Discovery API (serviceTagsRefresh timer): creates a custom role with only Microsoft.Network/locations/serviceTags/read and assigns it to the app identity on this subscription, which needs Owner or User Access Administrator on the subscription to deploy. False: no subscription-level change; use serviceTagsFile, or Azure addresses are known by ASN only, without regions.')
param serviceTagsRefreshEnabled bool = true

@description('Optional. NCRONTAB schedule of the service tags refresh (six fields, seconds first). Daily; Microsoft updates the tags about weekly.')
param serviceTagsSchedule string = '0 17 3 * * *'

@description('Optional. Path, inside the deployed package, of the remote-use allowlist (TOKENWATCH_ALLOWLIST_FILE). Empty: not set.')
param allowlistFile string = ''

@description('Optional. Path, inside the deployed package, of the theft allowlist (TOKENWATCH_THEFT_ALLOWLIST_FILE). Empty: not set.')
param theftAllowlistFile string = ''

@description('Optional. Remote-use allowlist as inline JSON (TOKENWATCH_ALLOWLIST; docs/operations.md). Empty: not set. Set this or allowlistFile, not both. The deployment owns the app settings: one set in the portal is replaced by the next deployment.')
param allowlistJson string = ''

@description('Optional. Theft allowlist overrides as inline JSON (TOKENWATCH_THEFT_ALLOWLIST; docs/theft.md). Empty: not set. Set this or theftAllowlistFile, not both.')
param theftAllowlistJson string = ''

@description('Optional. Days a dead letter is kept in the rejects table (TOKENWATCH_REJECTS_RETENTION_DAYS; docs/operations.md, "Secrets at rest").')
@minValue(1)
@maxValue(365)
param rejectsRetentionDays int = 30

@description('Optional. Days token buckets and first uses are kept in the state table (TOKENWATCH_TOKEN_RETENTION_DAYS): at least the Event Hubs retention in days plus the day a token lives (docs/operations.md, "State retention").')
@minValue(2)
@maxValue(365)
param tokenRetentionDays int = 8

@description('Optional. Days the suppression ledger is kept in the state table (TOKENWATCH_LEDGER_RETENTION_DAYS, at least dedupDays).')
@minValue(1)
@maxValue(365)
param ledgerRetentionDays int = 30

@description('Optional. Identities whose state stays cached per worker (TOKENWATCH_CACHE_IDENTITIES, LRU size).')
@minValue(100)
@maxValue(1000000)
param cacheIdentities int = 20000

@description('Optional. State rows cached per worker and store (TOKENWATCH_CACHE_ROWS, LRU by rows, ~360 bytes each). Raise it together with nodeHeapMb.')
@minValue(10000)
@maxValue(5000000)
param cacheRows int = 250000

@description('Optional. Token bucket and suppression ledger partitions per tenant and hour (TOKENWATCH_TOKEN_BUCKET_SHARDS); above 1 only past ~1,500 managed identity sign-ins (or suppressed alerts) per second (docs/performance.md).')
@minValue(1)
@maxValue(64)
param tokenBucketShards int = 1

@description('Optional. Days during which the same remote-use alert is not raised again (TOKENWATCH_DEDUP_DAYS).')
@minValue(1)
@maxValue(90)
param dedupDays int = 5

@description('Optional. Ceiling of the Node.js heap in MB (NODE_OPTIONS --max-old-space-size; docs/operations.md).')
@minValue(256)
param nodeHeapMb int = 384

@description('Optional. Largest size in MB of each V8 young-generation semi-space (NODE_OPTIONS --max-semi-space-size; docs/operations.md).')
@minValue(16)
@maxValue(128)
param nodeSemiSpaceMb int = 32

@description('Optional. Private network option (docs/deploy.md, "Private network"): public network access Disabled on the storage account and the Event Hubs namespace, private endpoints for blob, queue, table and the namespace in privateEndpointSubnetResourceId with private DNS, and the function app\'s VNet integration in appSubnetResourceId. Diagnostic settings still reach the namespace as a trusted Microsoft service. Needs both subnets. False: none of it is deployed and both stay public (Microsoft Entra ID auth only).')
param privateNetworkEnabled bool = false

@description('Optional. With privateNetworkEnabled: resource ID of the subnet, delegated to Microsoft.App/environments and used by nothing else, that the function app integrates with (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<name>). Same region as the app.')
param appSubnetResourceId string = ''

@description('Optional. With privateNetworkEnabled: resource ID of the subnet that holds the four private endpoints (storage blob, queue, table; Event Hubs namespace), in the same virtual network as appSubnetResourceId or one peered with it.')
param privateEndpointSubnetResourceId string = ''

@description('Optional. With privateNetworkEnabled: resource ID of an existing privatelink.blob.core.windows.net private DNS zone. Empty: the zone is created in this resource group and linked to the private endpoints\' virtual network.')
param privateDnsZoneBlobResourceId string = ''

@description('Optional. With privateNetworkEnabled: resource ID of an existing privatelink.queue.core.windows.net private DNS zone. Empty: created and linked as for blob.')
param privateDnsZoneQueueResourceId string = ''

@description('Optional. With privateNetworkEnabled: resource ID of an existing privatelink.table.core.windows.net private DNS zone. Empty: created and linked as for blob.')
param privateDnsZoneTableResourceId string = ''

@description('Optional. With privateNetworkEnabled: resource ID of an existing privatelink.servicebus.windows.net private DNS zone (Event Hubs). Empty: created and linked as for blob.')
param privateDnsZoneEventHubsResourceId string = ''

@description('Optional. Public network access for ingestion into a new workspace and Application Insights (the Logs Ingestion API calls). An existing workspace keeps its own setting. Not part of privateNetworkEnabled: Disabled needs an Azure Monitor Private Link Scope that this template does not create, and the alert feed then needs a data collection endpoint in that scope (docs/deploy.md, "Private network").')
@allowed([
  'Enabled'
  'Disabled'
])
param monitorPublicNetworkAccessForIngestion string = 'Enabled'

@description('Optional. Public network access for queries against a new workspace and Application Insights (Sentinel portal, sweeps). An existing workspace keeps its own setting. Not part of privateNetworkEnabled: Disabled needs an Azure Monitor Private Link Scope that this template does not create (docs/deploy.md, "Private network").')
@allowed([
  'Enabled'
  'Disabled'
])
param monitorPublicNetworkAccessForQuery string = 'Enabled'

@description('Optional. Public network access of the function app and its deployment (SCM) endpoint. The app has no HTTP triggers; Disabled also blocks azd deploy from outside a private network.')
@allowed([
  'Enabled'
  'Disabled'
])
param functionAppPublicNetworkAccess string = 'Enabled'

// 13 characters, stable per subscription + resource group + environment: globally unique names.
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union(tags, { 'azd-env-name': environmentName })

var names = {
  identity: 'id-tokenwatch-${resourceToken}'
  // Only for the deployment package (functionAppConfig.deployment.storage), never for the code.
  deploymentIdentity: 'id-tokenwatch-deploy-${resourceToken}'
  storage: 'sttw${resourceToken}'
  eventHubs: 'evhns-tokenwatch-${resourceToken}'
  workspace: 'log-tokenwatch-${resourceToken}'
  appInsights: 'appi-tokenwatch-${resourceToken}'
  dataCollectionRule: 'dcr-tokenwatch-alerts-${resourceToken}'
  plan: 'plan-tokenwatch-${resourceToken}'
  functionApp: 'func-tokenwatch-${resourceToken}'
  deploymentContainer: 'app-package-tokenwatch'
  // Fixed by the Functions runtime and the Event Hubs extension; created by storage.bicep so that the
  // app's blob role can be granted on each of them instead of the account.
  hostContainer: 'azure-webjobs-hosts'
  hostCredentialsContainer: 'azure-webjobs-secrets'
  checkpointContainer: 'azure-webjobs-eventhub'
  serviceTagsContainer: 'tokenwatch-service-tags'
  stateTable: 'TokenWatchState'
  rejectsTable: 'TokenWatchRejects'
  auditHub: 'tokenwatch-audit'
  endpointHub: 'tokenwatch-endpoint'
  // One consumer group per function (named after it), never $Default.
  auditConsumerGroup: 'remotetokenuse'
  endpointConsumerGroup: 'tokentheft'
}

// The workspace, new or existing, as one resource ID:
// /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>.
// Segments 2, 4 and 8 give the subscription, resource group and name that scope the Sentinel-side modules.
var useExistingWorkspace = !empty(existingWorkspaceResourceId)
var workspaceResourceId = useExistingWorkspace ? existingWorkspaceResourceId : resourceId('Microsoft.OperationalInsights/workspaces', names.workspace)
var workspaceIdSegments = split(workspaceResourceId, '/')
var workspaceSubscriptionId = workspaceIdSegments[2]
var workspaceResourceGroupName = workspaceIdSegments[4]
var workspaceName = workspaceIdSegments[8]

// Every function that queries the workspace needs Log Analytics Reader on it.
var workspaceQueriesEnabled = sweepEnabled || remoteUseSweepEnabled || backfillDays > 0

var dataPlaneKeyVaultIds = filter(dataPlaneKeyVaultResourceIds, id => !empty(trim(id)))
var dataPlaneStorageAccountIds = filter(dataPlaneStorageAccountResourceIds, id => !empty(trim(id)))

// The private network option closes the public endpoints of storage and Event Hubs; everything else
// about it is in modules/privateNetwork.bicep and the app's virtualNetworkSubnetId.
var privateNetworkAccess = privateNetworkEnabled ? 'Disabled' : 'Enabled'

module identity 'modules/identity.bicep' = {
  name: 'tokenwatch-identity'
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module deploymentIdentity 'modules/identity.bicep' = {
  name: 'tokenwatch-deployment-identity'
  params: {
    name: names.deploymentIdentity
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'tokenwatch-storage'
  params: {
    name: names.storage
    location: location
    tags: allTags
    deploymentContainerName: names.deploymentContainer
    hostContainerName: names.hostContainer
    hostCredentialsContainerName: names.hostCredentialsContainer
    checkpointContainerName: names.checkpointContainer
    serviceTagsContainerName: names.serviceTagsContainer
    stateTableName: names.stateTable
    rejectsTableName: names.rejectsTable
    publicNetworkAccess: privateNetworkAccess
  }
}

module eventHubs 'modules/eventHubs.bicep' = {
  name: 'tokenwatch-eventhubs'
  params: {
    name: names.eventHubs
    location: location
    tags: allTags
    auditHubName: names.auditHub
    endpointHubName: names.endpointHub
    auditConsumerGroupName: names.auditConsumerGroup
    endpointConsumerGroupName: names.endpointConsumerGroup
    partitionCount: eventHubPartitionCount
    capacity: eventHubThroughputUnits
    publicNetworkAccess: privateNetworkAccess
  }
}

// Private endpoints and DNS for storage and Event Hubs, only with the private network option.
module privateNetwork 'modules/privateNetwork.bicep' = if (privateNetworkEnabled) {
  name: 'tokenwatch-private-network'
  params: {
    location: location
    tags: allTags
    storageAccountName: storage.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.name
    eventHubsPrivateDnsZoneName: eventHubs.outputs.privateDnsZoneName
    privateEndpointSubnetResourceId: privateEndpointSubnetResourceId
    privateDnsZoneResourceIds: {
      blob: privateDnsZoneBlobResourceId
      queue: privateDnsZoneQueueResourceId
      table: privateDnsZoneTableResourceId
      eventHubs: privateDnsZoneEventHubsResourceId
    }
  }
}

// The Sentinel-side modules run in the workspace's resource group (this one for a new workspace). Their
// deployment names carry the resource token: two environments may share one customer resource group.
module workspace 'modules/workspace.bicep' = {
  name: 'tokenwatch-workspace-${resourceToken}'
  scope: resourceGroup(workspaceSubscriptionId, workspaceResourceGroupName)
  params: {
    name: workspaceName
    // A new workspace only: an existing one already has Sentinel and is left as it is.
    create: !useExistingWorkspace
    location: location
    tags: allTags
    retentionInDays: retentionInDays
    publicNetworkAccessForIngestion: monitorPublicNetworkAccessForIngestion
    publicNetworkAccessForQuery: monitorPublicNetworkAccessForQuery
  }
}

module appInsights 'modules/appInsights.bicep' = {
  name: 'tokenwatch-app-insights'
  params: {
    name: names.appInsights
    location: location
    tags: allTags
    workspaceResourceId: empty(appInsightsWorkspaceResourceId) ? workspace.outputs.resourceId : appInsightsWorkspaceResourceId
    publicNetworkAccessForIngestion: monitorPublicNetworkAccessForIngestion
    publicNetworkAccessForQuery: monitorPublicNetworkAccessForQuery
  }
}

module alertFeed 'modules/alertFeed.bicep' = {
  name: 'tokenwatch-alert-feed-${resourceToken}'
  scope: resourceGroup(workspaceSubscriptionId, workspaceResourceGroupName)
  params: {
    workspaceName: workspace.outputs.name
    dataCollectionRuleName: names.dataCollectionRule
    // The DCR must be in the workspace's region (alertFeed.bicep), not necessarily the app's.
    location: workspace.outputs.location
    tags: allTags
    retentionInDays: retentionInDays
  }
}

module sentinel 'modules/sentinel.bicep' = {
  name: 'tokenwatch-sentinel-${resourceToken}'
  scope: resourceGroup(workspaceSubscriptionId, workspaceResourceGroupName)
  params: {
    workspaceName: workspace.outputs.name
    location: workspace.outputs.location
    tags: allTags
    rulesEnabled: analyticsRulesEnabled
    appInsightsWorkspaceResourceId: empty(appInsightsWorkspaceResourceId) ? workspace.outputs.resourceId : appInsightsWorkspaceResourceId
  }
  // The rules query the alert table and need Sentinel on (onboarded by the workspace module, or already).
  dependsOn: [
    alertFeed
  ]
}

// The hunting queries (rules/kql) as Sentinel saved searches, in the workspace, new or existing.
module huntingQueries 'modules/huntingQueries.bicep' = {
  name: 'tokenwatch-hunting-${resourceToken}'
  scope: resourceGroup(workspaceSubscriptionId, workspaceResourceGroupName)
  params: {
    workspaceName: workspace.outputs.name
  }
}

// The app's roles on the DCR and the workspace, deployed where those are.
module workspaceRoleAssignments 'modules/workspaceRoleAssignments.bicep' = {
  name: 'tokenwatch-workspace-roles-${resourceToken}'
  scope: resourceGroup(workspaceSubscriptionId, workspaceResourceGroupName)
  params: {
    principalId: identity.outputs.principalId
    dataCollectionRuleName: alertFeed.outputs.dataCollectionRuleName
    workspaceName: workspace.outputs.name
    workspaceReaderEnabled: workspaceQueriesEnabled
  }
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'tokenwatch-role-assignments'
  params: {
    principalId: identity.outputs.principalId
    deploymentPrincipalId: deploymentIdentity.outputs.principalId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    hostContainerName: storage.outputs.hostContainerName
    hostCredentialsContainerName: storage.outputs.hostCredentialsContainerName
    checkpointContainerName: storage.outputs.checkpointContainerName
    serviceTagsContainerName: storage.outputs.serviceTagsContainerName
    stateTableName: storage.outputs.stateTableName
    rejectsTableName: storage.outputs.rejectsTableName
    eventHubsNamespaceName: eventHubs.outputs.name
    auditHubName: eventHubs.outputs.auditHubName
    endpointHubName: eventHubs.outputs.endpointHubName
    appInsightsName: appInsights.outputs.name
  }
}

// The Service Tag Discovery API is authorized on the subscription, so this role assignment is the
// one piece of the deployment at subscription scope.
module serviceTagsReader 'modules/serviceTagsReader.bicep' = if (serviceTagsRefreshEnabled) {
  name: 'tokenwatch-service-tags-reader-${resourceToken}'
  scope: subscription()
  params: {
    principalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'tokenwatch-function-app'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    deploymentIdentityResourceId: deploymentIdentity.outputs.resourceId
    virtualNetworkSubnetId: privateNetworkEnabled ? appSubnetResourceId : ''
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    tableEndpoint: storage.outputs.tableEndpoint
    stateTableName: storage.outputs.stateTableName
    rejectsTableName: storage.outputs.rejectsTableName
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    auditHubName: eventHubs.outputs.auditHubName
    auditConsumerGroupName: eventHubs.outputs.auditConsumerGroupName
    endpointHubName: eventHubs.outputs.endpointHubName
    endpointConsumerGroupName: eventHubs.outputs.endpointConsumerGroupName
    dcrLogsIngestionEndpoint: alertFeed.outputs.logsIngestionEndpoint
    dcrImmutableId: alertFeed.outputs.immutableId
    dcrStreamName: alertFeed.outputs.streamName
    workspaceCustomerId: workspace.outputs.customerId
    appInsightsName: appInsights.outputs.name
    sweepEnabled: sweepEnabled
    sweepSchedule: sweepSchedule
    remoteUseSweepEnabled: remoteUseSweepEnabled
    remoteUseSweepSchedule: remoteUseSweepSchedule
    backfillDays: backfillDays
    serviceTagsFile: serviceTagsFile
    blobEndpoint: storage.outputs.blobEndpoint
    serviceTagsContainerName: storage.outputs.serviceTagsContainerName
    serviceTagsRefreshEnabled: serviceTagsRefreshEnabled
    serviceTagsLocation: location
    serviceTagsSchedule: serviceTagsSchedule
    allowlistFile: allowlistFile
    theftAllowlistFile: theftAllowlistFile
    allowlistJson: allowlistJson
    theftAllowlistJson: theftAllowlistJson
    cacheIdentities: cacheIdentities
    rejectsRetentionDays: rejectsRetentionDays
    tokenRetentionDays: tokenRetentionDays
    ledgerRetentionDays: ledgerRetentionDays
    cacheRows: cacheRows
    tokenBucketShards: tokenBucketShards
    dedupDays: dedupDays
    nodeHeapMb: nodeHeapMb
    nodeSemiSpaceMb: nodeSemiSpaceMb
    usualExternal: usualExternal
    publicNetworkAccess: functionAppPublicNetworkAccess
  }
  // Start the app once its roles and (with the private option) its private endpoints exist, so the
  // first start does not spend minutes on 403s or unreachable storage.
  dependsOn: [
    roleAssignments
    workspaceRoleAssignments
    serviceTagsReader
    privateNetwork
  ]
}

// Data-plane logs into the audit hub: one diagnostic setting per chosen Key Vault and storage account,
// deployed in that resource's own resource group (segments 2 and 4 of its ID). See
// modules/dataPlaneDiagnostics.bicep for the categories and the region rule, docs/deploy.md for the cost.
module keyVaultDiagnostics 'modules/dataPlaneDiagnostics.bicep' = [for vaultId in dataPlaneKeyVaultIds: {
  name: 'tokenwatch-kv-diagnostics-${uniqueString(vaultId)}'
  scope: resourceGroup(split(vaultId, '/')[2], split(vaultId, '/')[4])
  params: {
    kind: 'KeyVault'
    resourceName: last(split(vaultId, '/'))
    eventHubAuthorizationRuleId: eventHubs.outputs.diagnosticsAuthorizationRuleId
    auditHubName: eventHubs.outputs.auditHubName
  }
}]

module storageDiagnostics 'modules/dataPlaneDiagnostics.bicep' = [for accountId in dataPlaneStorageAccountIds: {
  name: 'tokenwatch-blob-diagnostics-${uniqueString(accountId)}'
  scope: resourceGroup(split(accountId, '/')[2], split(accountId, '/')[4])
  params: {
    kind: 'StorageBlob'
    resourceName: last(split(accountId, '/'))
    eventHubAuthorizationRuleId: eventHubs.outputs.diagnosticsAuthorizationRuleId
    auditHubName: eventHubs.outputs.auditHubName
    storageWriteDeleteLogs: dataPlaneStorageWriteDeleteLogs
  }
}]

@description('The Azure region of the deployment.')
output AZURE_LOCATION string = location

@description('The name of the function app (azd deploys the code here).')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('The client ID of the app\'s user-assigned managed identity.')
output TOKENWATCH_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('The principal (object) ID of the app\'s user-assigned managed identity.')
output TOKENWATCH_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId

@description('The name of the storage account.')
output TOKENWATCH_STORAGE_ACCOUNT string = storage.outputs.name

@description('The table endpoint (TOKENWATCH_TABLE_ENDPOINT).')
output TOKENWATCH_TABLE_ENDPOINT string = storage.outputs.tableEndpoint

@description('The name of the Event Hubs namespace.')
output TOKENWATCH_EVENTHUBS_NAMESPACE string = eventHubs.outputs.name

@description('The fully qualified Event Hubs namespace.')
output TOKENWATCH_EVENTHUB_FQDN string = eventHubs.outputs.fullyQualifiedNamespace

@description('The audit hub (Entra and Azure audit logs).')
output TOKENWATCH_AUDIT_HUB string = eventHubs.outputs.auditHubName

@description('The endpoint telemetry hub.')
output TOKENWATCH_ENDPOINT_HUB string = eventHubs.outputs.endpointHubName

@description('The resource ID (not a key) of the namespace-level Send-only authorization rule for the diagnostic settings (infra/tenant/entra-diagnostics.bicep), always used with the audit hub named.')
output TOKENWATCH_DIAGNOSTICS_AUTHORIZATION_RULE_ID string = eventHubs.outputs.diagnosticsAuthorizationRuleId

@description('The resource ID (not a key) of the Send-only authorization rule on the endpoint hub, for an endpoint telemetry exporter that can only use a connection string.')
output TOKENWATCH_ENDPOINT_AUTHORIZATION_RULE_ID string = eventHubs.outputs.endpointAuthorizationRuleId

@description('The principal (object) ID of the identity that only writes and reads the deployment package.')
output TOKENWATCH_DEPLOYMENT_IDENTITY_PRINCIPAL_ID string = deploymentIdentity.outputs.principalId

@description('The resource ID of the Log Analytics workspace with Sentinel (new, or the existing one given).')
output TOKENWATCH_WORKSPACE_RESOURCE_ID string = workspace.outputs.resourceId

@description('The workspace (customer) ID (TOKENWATCH_WORKSPACE_ID).')
output TOKENWATCH_WORKSPACE_ID string = workspace.outputs.customerId

@description('The Azure region of the workspace, where the alert data collection rule is.')
output TOKENWATCH_WORKSPACE_LOCATION string = workspace.outputs.location

@description('Whether this deployment onboarded Sentinel (false when an existing workspace was given).')
output TOKENWATCH_SENTINEL_ONBOARDED bool = workspace.outputs.sentinelOnboarded

@description('The Logs Ingestion endpoint of the alert DCR (TOKENWATCH_DCR_ENDPOINT).')
output TOKENWATCH_DCR_ENDPOINT string = alertFeed.outputs.logsIngestionEndpoint

@description('The immutable ID of the alert DCR (TOKENWATCH_DCR_IMMUTABLE_ID).')
output TOKENWATCH_DCR_IMMUTABLE_ID string = alertFeed.outputs.immutableId

@description('The DCR input stream (TOKENWATCH_DCR_STREAM).')
output TOKENWATCH_DCR_STREAM string = alertFeed.outputs.streamName
