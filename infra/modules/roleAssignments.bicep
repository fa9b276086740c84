// The data-plane roles the function app's identities hold on the resources of the TokenWatch resource
// group, each on the narrowest scope that works. Names are guid(scope, principal, role), so
// re-deployments are idempotent.
// (test/infra/bicepPolicy.test.ts holds this exact set: adding a role or widening a scope fails it.)
//
// Two identities:
//   the app's identity (principalId)   everything the code and the Functions host do. No blob role on
//                                      the account: Storage Blob Data Contributor on each container it
//                                      writes (the host's three, the service tags), none on the
//                                      deployment package.
//   the deployment identity            only functionAppConfig.deployment.storage uses it: the platform
//   (deploymentPrincipalId)            writes each deployed package with it and reads it at start.
//                                      Storage Blob Data Contributor on the deployment container, nothing
//                                      else. Write is needed: the CLI gives the deployment identity
//                                      "Storage Blob Data Contributor" (flex-consumption-how-to,
//                                      "Configure deployment settings"), and a deployment uploads the
//                                      package with the configured authentication (a key-based one on
//                                      an account without shared keys fails with "Failed to upload the
//                                      block to storage account: key based authentication is not
//                                      permitted"). It is a second identity so that the app's own
//                                      credential (AZURE_CLIENT_ID, every connection) cannot rewrite the
//                                      code it runs. It must be attached to the app, so code running in
//                                      the app could still ask the platform for its token by client ID:
//                                      this keeps the write out of the app's credential, it is not a
//                                      boundary against code already running there (docs/operations.md).
//
// Contributor, not Owner, on the host containers: Owner adds container ACL management and POSIX ACLs
// (Azure built-in roles: "including assigning POSIX access control"), which a flat-namespace account
// and the host do not use. Functions documents Owner for host storage because "the runtime needs ...
// the ability to create containers" (functions-azurewebjobsstorage-permissions); the containers exist
// before the app starts (storage.bicep), and Contributor includes .../containers/write anyway.
// Microsoft's own Flex Consumption VNet sample grants Contributor for host storage
// (Azure-Samples/azure-functions-flex-consumption-samples, E2E/HTTP-VNET-EH/infra/main.bicep).
//
// Two other files assign roles, each deployed at the scope it needs: workspaceRoleAssignments.bicep in
// the workspace's resource group (the alert DCR and the workspace, possibly another subscription), and
// serviceTagsReader.bicep on the subscription (the Service Tag Discovery API; a resource-group
// deployment cannot assign at subscription scope).

@description('Required. Principal (object) ID of the function app\'s user-assigned managed identity.')
param principalId string

@description('Required. Principal (object) ID of the user-assigned identity used only for the Flex Consumption deployment package (functionAppConfig.deployment.storage).')
param deploymentPrincipalId string

@description('Required. Name of the storage account (host storage, deployment package, tables).')
param storageAccountName string

@description('Required. Name of the blob container of the deployment package.')
param deploymentContainerName string

@description('Required. Name of the Functions host container (azure-webjobs-hosts).')
param hostContainerName string

@description('Required. Name of the host key store container (azure-webjobs-secrets).')
param hostCredentialsContainerName string

@description('Required. Name of the Event Hubs checkpoint container (azure-webjobs-eventhub).')
param checkpointContainerName string

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
  // Storage Blob Data Contributor: read, write and delete blobs of the container it is assigned on
  // (no ACL management).
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

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: deploymentContainerName
}

resource hostContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: hostContainerName
}

resource hostCredentialsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: hostCredentialsContainerName
}

resource checkpointContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = {
  parent: blobService
  name: checkpointContainerName
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

// Storage Blob Data Contributor (ba92f5b4-2d11-453d-a403-e96b0029c9fe) on azure-webjobs-hosts only:
// the host id, timer schedule status and the blob leases behind timer and singleton locks.
resource hostContainerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostContainer.id, principalId, roles.storageBlobDataContributor)
  scope: hostContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Blob Data Contributor (ba92f5b4-2d11-453d-a403-e96b0029c9fe) on azure-webjobs-secrets only:
// the host's key store.
resource hostCredentialsContainerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostCredentialsContainer.id, principalId, roles.storageBlobDataContributor)
  scope: hostCredentialsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Blob Data Contributor (ba92f5b4-2d11-453d-a403-e96b0029c9fe) on azure-webjobs-eventhub only:
// the Event Hubs trigger's checkpoints and partition ownership blobs.
resource checkpointContainerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(checkpointContainer.id, principalId, roles.storageBlobDataContributor)
  scope: checkpointContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Blob Data Contributor (ba92f5b4-2d11-453d-a403-e96b0029c9fe) on the deployment container,
// for the DEPLOYMENT identity only (see the header): the platform writes the package with it at each
// deployment and reads it at start. The app's identity holds no role on this container.
resource deploymentContainerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deploymentContainer.id, deploymentPrincipalId, roles.storageBlobDataContributor)
  scope: deploymentContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: deploymentPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Blob Data Contributor (ba92f5b4-2d11-453d-a403-e96b0029c9fe) on the service-tags container
// only: the serviceTagsRefresh timer writes the stored tags there and every worker reads them.
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
