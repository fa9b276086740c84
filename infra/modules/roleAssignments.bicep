// The data-plane roles the function app's identity holds on the resources of the TokenWatch resource
// group, each on the narrowest scope that works. Names are guid(scope, principal, role), so
// re-deployments are idempotent.
// (test/infra/bicepPolicy.test.ts holds this exact set: adding a role or widening a scope fails it.)
// Two other files assign roles, each deployed at the scope it needs: workspaceRoleAssignments.bicep in
// the workspace's resource group (the alert DCR and the workspace, possibly another subscription), and
// serviceTagsReader.bicep on the subscription (the Service Tag Discovery API; a resource-group
// deployment cannot assign at subscription scope).

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

@description('Required. Name of the Application Insights component.')
param appInsightsName string

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
  // Monitoring Metrics Publisher: send telemetry to a component with local auth off.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
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

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
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
