// TokenWatch environment: the function app and everything it reads, writes and reports to, in one
// resource group. `azd up` deploys it (azure.yaml); so does
//   az deployment group create -g <rg> --template-file infra/main.bicep --parameters infra/main.bicepparam
// The Entra ID and Activity-log diagnostic settings that feed the audit hub need tenant/subscription
// rights and are deployed separately: infra/tenant/entra-diagnostics.bicep (see docs/deploy.md).
// One module does reach the subscription: the custom role that lets the app read the Azure service
// tags (modules/serviceTagsReader.bicep, switched off with serviceTagsRefreshEnabled = false).
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

@description('Optional. Days the workspace and the alert table keep data.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 90

@description('Optional. Run the tokenTheftSweep timer function and grant it Log Analytics Reader on the workspace.')
param sweepEnabled bool = false

@description('Optional. NCRONTAB schedule of the theft sweep (six fields, seconds first).')
param sweepSchedule string = '0 */5 * * * *'

@description('Optional. Create the Sentinel analytics rules enabled.')
param analyticsRulesEnabled bool = true

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

@description('Optional. Public network access of the storage account. Disabled needs VNet integration and private endpoints, which this template does not create.')
@allowed([
  'Enabled'
  'Disabled'
])
param storagePublicNetworkAccess string = 'Enabled'

@description('Optional. Public network access of the Event Hubs namespace. Disabled needs a private endpoint for the app; diagnostic settings still reach it as a trusted service.')
@allowed([
  'Enabled'
  'Disabled'
])
param eventHubsPublicNetworkAccess string = 'Enabled'

@description('Optional. Public network access for ingestion into the workspace and Application Insights (the Logs Ingestion API calls). Disabled needs an Azure Monitor Private Link Scope.')
@allowed([
  'Enabled'
  'Disabled'
])
param monitorPublicNetworkAccessForIngestion string = 'Enabled'

@description('Optional. Public network access for queries against the workspace (Sentinel portal, theft sweep). Disabled needs an Azure Monitor Private Link Scope.')
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
  storage: 'sttw${resourceToken}'
  eventHubs: 'evhns-tokenwatch-${resourceToken}'
  workspace: 'log-tokenwatch-${resourceToken}'
  appInsights: 'appi-tokenwatch-${resourceToken}'
  dataCollectionRule: 'dcr-tokenwatch-alerts-${resourceToken}'
  plan: 'plan-tokenwatch-${resourceToken}'
  functionApp: 'func-tokenwatch-${resourceToken}'
  deploymentContainer: 'app-package-tokenwatch'
  serviceTagsContainer: 'tokenwatch-service-tags'
  stateTable: 'TokenWatchState'
  rejectsTable: 'TokenWatchRejects'
  auditHub: 'tokenwatch-audit'
  endpointHub: 'tokenwatch-endpoint'
  // One consumer group per function (named after it), never $Default.
  auditConsumerGroup: 'remotetokenuse'
  endpointConsumerGroup: 'tokentheft'
}

module identity 'modules/identity.bicep' = {
  name: 'tokenwatch-identity'
  params: {
    name: names.identity
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
    serviceTagsContainerName: names.serviceTagsContainer
    stateTableName: names.stateTable
    rejectsTableName: names.rejectsTable
    publicNetworkAccess: storagePublicNetworkAccess
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
    publicNetworkAccess: eventHubsPublicNetworkAccess
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'tokenwatch-monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: allTags
    retentionInDays: retentionInDays
    publicNetworkAccessForIngestion: monitorPublicNetworkAccessForIngestion
    publicNetworkAccessForQuery: monitorPublicNetworkAccessForQuery
  }
}

module alertFeed 'modules/alertFeed.bicep' = {
  name: 'tokenwatch-alert-feed'
  params: {
    workspaceName: monitoring.outputs.workspaceName
    dataCollectionRuleName: names.dataCollectionRule
    location: location
    tags: allTags
    retentionInDays: retentionInDays
  }
}

module sentinel 'modules/sentinel.bicep' = {
  name: 'tokenwatch-sentinel'
  params: {
    workspaceName: monitoring.outputs.workspaceName
    location: location
    tags: allTags
    rulesEnabled: analyticsRulesEnabled
  }
  // The rules query the alert table and need Sentinel onboarded (a monitoring output) first.
  dependsOn: [
    alertFeed
  ]
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'tokenwatch-role-assignments'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceTagsContainerName: storage.outputs.serviceTagsContainerName
    stateTableName: storage.outputs.stateTableName
    rejectsTableName: storage.outputs.rejectsTableName
    eventHubsNamespaceName: eventHubs.outputs.name
    auditHubName: eventHubs.outputs.auditHubName
    endpointHubName: eventHubs.outputs.endpointHubName
    dataCollectionRuleName: alertFeed.outputs.dataCollectionRuleName
    appInsightsName: monitoring.outputs.appInsightsName
    workspaceName: monitoring.outputs.workspaceName
    sweepEnabled: sweepEnabled
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
    workspaceCustomerId: monitoring.outputs.workspaceCustomerId
    appInsightsName: monitoring.outputs.appInsightsName
    sweepEnabled: sweepEnabled
    sweepSchedule: sweepSchedule
    serviceTagsFile: serviceTagsFile
    blobEndpoint: storage.outputs.blobEndpoint
    serviceTagsContainerName: storage.outputs.serviceTagsContainerName
    serviceTagsRefreshEnabled: serviceTagsRefreshEnabled
    serviceTagsLocation: location
    serviceTagsSchedule: serviceTagsSchedule
    allowlistFile: allowlistFile
    theftAllowlistFile: theftAllowlistFile
    publicNetworkAccess: functionAppPublicNetworkAccess
  }
  // Start the app once its roles exist, so the first start does not spend minutes on 403s.
  dependsOn: [
    roleAssignments
    serviceTagsReader
  ]
}

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

@description('The resource ID (not a key) of the Send-only authorization rule for infra/tenant/entra-diagnostics.bicep.')
output TOKENWATCH_DIAGNOSTICS_AUTHORIZATION_RULE_ID string = eventHubs.outputs.diagnosticsAuthorizationRuleId

@description('The resource ID of the Log Analytics workspace with Sentinel.')
output TOKENWATCH_WORKSPACE_RESOURCE_ID string = monitoring.outputs.workspaceResourceId

@description('The workspace (customer) ID (TOKENWATCH_WORKSPACE_ID).')
output TOKENWATCH_WORKSPACE_ID string = monitoring.outputs.workspaceCustomerId

@description('The Logs Ingestion endpoint of the alert DCR (TOKENWATCH_DCR_ENDPOINT).')
output TOKENWATCH_DCR_ENDPOINT string = alertFeed.outputs.logsIngestionEndpoint

@description('The immutable ID of the alert DCR (TOKENWATCH_DCR_IMMUTABLE_ID).')
output TOKENWATCH_DCR_IMMUTABLE_ID string = alertFeed.outputs.immutableId

@description('The DCR input stream (TOKENWATCH_DCR_STREAM).')
output TOKENWATCH_DCR_STREAM string = alertFeed.outputs.streamName
