// One storage account for everything the app stores: the Functions host (blob leases, Event Hubs
// checkpoints in container azure-webjobs-eventhub, timer locks), the Flex Consumption deployment
// package, the TokenWatch tables and the Azure service tags the serviceTagsRefresh timer keeps.
// Shared keys are off: every caller uses Microsoft Entra ID.

@description('Required. Name of the storage account (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the account.')
param tags object = {}

@description('Required. Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Required. Blob container holding the stored Azure service tags (TOKENWATCH_SERVICE_TAGS_CONTAINER): one small JSON blob, written daily by the serviceTagsRefresh timer.')
param serviceTagsContainerName string

@description('Required. Table holding the per-identity baselines and the theft dedup state (TOKENWATCH_STATE_TABLE).')
param stateTableName string

@description('Required. Table holding records the pipeline could not process (TOKENWATCH_REJECTS_TABLE).')
param rejectsTableName string

@description('Optional. Public network access. Flex Consumption without VNet integration reaches its host storage over the public endpoint, so Disabled needs VNet integration and private endpoints first.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Its own container, so that the app's write access to the service tags can be granted on it alone.
resource serviceTagsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: serviceTagsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource stateTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = {
  parent: tableService
  name: stateTableName
}

resource rejectsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = {
  parent: tableService
  name: rejectsTableName
}

@description('The name of the storage account.')
output name string = storage.name

@description('The resource ID of the storage account.')
output resourceId string = storage.id

@description('The blob endpoint (https://<account>.blob.core.windows.net/).')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('The queue endpoint (https://<account>.queue.core.windows.net/).')
output queueEndpoint string = storage.properties.primaryEndpoints.queue

@description('The table endpoint without a trailing slash (https://<account>.table.core.windows.net), as TOKENWATCH_TABLE_ENDPOINT expects it.')
output tableEndpoint string = 'https://${storage.name}.table.${environment().suffixes.storage}'

@description('The deployment container URL used by functionAppConfig.deployment.storage.')
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'

@description('The name of the blob container that holds the stored service tags.')
output serviceTagsContainerName string = serviceTagsContainer.name

@description('The name of the state table.')
output stateTableName string = stateTable.name

@description('The name of the rejects table.')
output rejectsTableName string = rejectsTable.name
