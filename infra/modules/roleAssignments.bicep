// Every data-plane role the function app's identity holds, each on the narrowest scope that works.
// Names are guid(scope, principal, role), so re-deployments are idempotent.
// (test/infra/bicepPolicy.test.ts holds this exact set: adding a role or widening a scope fails it.)
// The one role at subscription scope, for the Service Tag Discovery API, is in serviceTagsReader.bicep
// (a subscription-scoped module: a resource-group deployment cannot assign at subscription scope).

@description('Required. Principal (object) ID of the function app\'s user-assigned managed identity.')
param principalId string

@description('Required. Name of the storage account (host storage, deployment package, tables).')
param storageAccountName string

@description('Required. Name of the blob container of the stored service tags.')
param serviceTagsContainerName string

@description('Required. Name of the state table.')
param stateTableName string

@description('Required. Name of the rejects table.')
param rejectsTableName string

@description('Required. Name of the Event Hubs namespace.')
param eventHubsNamespaceName string

@description('Required. Name of the audit hub.')
param auditHubName string

@description('Required. Name of the endpoint telemetry hub.')
param endpointHubName string

@description('Required. Name of the alert data collection rule.')
param dataCollectionRuleName string

@description('Required. Name of the Application Insights component.')
param appInsightsName string

@description('Required. Name of the Log Analytics workspace.')
param workspaceName string

@description('Optional. Grant the workspace read role the theft sweep needs. Without the sweep the app never queries the workspace.')
param sweepEnabled bool = false

var roles = {
  // Azure Event Hubs Data Receiver: read events and consumer-group state, nothing else.
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  // Storage Blob Data Owner: the Functions host creates its own containers (azure-webjobs-hosts,
  // azure-webjobs-eventhub for checkpoints) and reads the deployment package.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Storage Blob Data Contributor: read, write and delete blobs (no container management, no ACLs).
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // Storage Table Data Contributor: read and write entities.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Monitoring Metrics Publisher: send rows through a DCR / telemetry to a component with local auth off.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Log Analytics Reader: run queries in the workspace.
  logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893'
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' existing = {
  parent: storage
  name: 'default'
}

resource serviceTagsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: serviceTagsContainerName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' existing = {
  parent: storage
  name: 'default'
}

resource stateTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' existing = {
  parent: tableService
  name: stateTableName
}

resource rejectsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' existing = {
  parent: tableService
  name: rejectsTableName
}

resource eventHubsNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource auditHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: eventHubsNamespace
  name: auditHubName
}

resource endpointHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: eventHubsNamespace
  name: endpointHubName
}

resource dataCollectionRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' existing = {
  name: dataCollectionRuleName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
}

// Azure Event Hubs Data Receiver (a638d3c7-ab3a-418d-83e6-5f17a39d4fde) on the audit hub only.
resource auditHubReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(auditHub.id, principalId, roles.eventHubsDataReceiver)
  scope: auditHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Azure Event Hubs Data Receiver (a638d3c7-ab3a-418d-83e6-5f17a39d4fde) on the endpoint hub only.
resource endpointHubReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(endpointHub.id, principalId, roles.eventHubsDataReceiver)
  scope: endpointHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventHubsDataReceiver)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Blob Data Owner (b7e6dc6d-f1e8-4753-8033-0f276bb0955b) on the storage account: the host
// creates containers, which a container-scoped assignment cannot allow.
resource hostStorageBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Blob Data Contributor (ba92f5b4-2d11-453d-a403-e96b0029c9fe) on the service-tags container
// only: the serviceTagsRefresh timer writes the stored tags there and every worker reads them. Today
// the host's account-wide Blob Data Owner covers it too; this grant keeps the service tags working
// if that one is ever narrowed to the host's own containers.
resource serviceTagsContainerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceTagsContainer.id, principalId, roles.storageBlobDataContributor)
  scope: serviceTagsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor (0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3) on the state table only:
// Azure RBAC accepts a single table (…/tableServices/default/tables/<name>) as a scope.
resource stateTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(stateTable.id, principalId, roles.storageTableDataContributor)
  scope: stateTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor (0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3) on the rejects table only.
resource rejectsTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(rejectsTable.id, principalId, roles.storageTableDataContributor)
  scope: rejectsTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Metrics Publisher (3913510d-42f4-4e42-8a64-420c390055eb) on the alert DCR only:
// the identity can send alert rows and nothing else into the workspace.
resource dcrPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataCollectionRule.id, principalId, roles.monitoringMetricsPublisher)
  scope: dataCollectionRule
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Metrics Publisher (3913510d-42f4-4e42-8a64-420c390055eb) on the Application Insights
// component only: local auth is disabled there, so telemetry needs an Entra token with this role.
resource appInsightsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Log Analytics Reader (73c42c96-874c-492b-b04d-ab87d138a893) on the workspace, only when the theft
// sweep is enabled: the sweep queries endpoint telemetry tables there.
resource sweepWorkspaceReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (sweepEnabled) {
  name: guid(workspace.id, principalId, roles.logAnalyticsReader)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.logAnalyticsReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

