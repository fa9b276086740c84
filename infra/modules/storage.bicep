// One storage account for everything the app stores: the Functions host (blob leases, Event Hubs
// checkpoints in container azure-webjobs-eventhub, timer locks), the Flex Consumption deployment
// package, the TokenWatch tables and the Azure service tags the serviceTagsRefresh timer keeps.
// Shared keys are off: every caller uses Microsoft Entra ID.
//
// Every blob container anyone writes to is created here, so that the app's blob roles can be granted
// on each container instead of the account (roleAssignments.bicep). The Functions host would create
// its own containers on first use ("the runtime needs both read and write access to blobs and the
// ability to create containers", functions-azurewebjobsstorage-permissions in MicrosoftDocs/azure-docs,
// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity),
// which a container-scoped role cannot allow; pre-created, its create-if-not-exists finds them:
//   azure-webjobs-hosts     host id, timer schedule status and singleton/timer locks (blob leases)
//   azure-webjobs-secrets   the host's key store (AzureWebJobsSecretStorageType defaults to blob)
//   azure-webjobs-eventhub  Event Hubs trigger checkpoints and partition ownership (the extension's
//                           default CheckpointContainer, EventHubOptions.cs in Azure/azure-sdk-for-net)
// The names are fixed by the runtime; main.bicep passes them in (names.*Container). Two consequences,
// reasoned from the host's code rather than tried against Azure here: a create-if-not-exists on an
// existing container is authorized on that container, so it should answer "already exists" rather
// than 403; and the host's storage health check lists the account's containers
// (WebJobsStorageHealthCheck.cs, Azure/azure-functions-host), which needs a role on the account, so it
// logs "azure.functions.webjobs.storage: Unhealthy" as a warning. It is no liveness or readiness probe
// (docs/operations.md, "Permissions of the app").

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

@description('Required. Blob container of the Functions host (azure-webjobs-hosts: host id, timer status, locks).')
param hostContainerName string

@description('Required. Blob container of the Functions host key store (azure-webjobs-secrets).')
param hostCredentialsContainerName string

@description('Required. Blob container of the Event Hubs trigger checkpoints (azure-webjobs-eventhub).')
param checkpointContainerName string

@description('Required. Blob container holding the stored Azure service tags (TOKENWATCH_SERVICE_TAGS_CONTAINER): one small JSON blob, written daily by the serviceTagsRefresh timer.')
param serviceTagsContainerName string

@description('Required. Table holding the per-identity baselines and the theft dedup state (TOKENWATCH_STATE_TABLE).')
param stateTableName string

@description('Required. Table holding records the pipeline could not process (TOKENWATCH_REJECTS_TABLE).')
param rejectsTableName string

@description('Optional. Public network access. Flex Consumption without VNet integration reaches its host storage over the public endpoint, so Disabled needs VNet integration and the blob, queue and table private endpoints (main.bicep privateNetworkEnabled creates them).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

// Private: nothing but the private endpoints, as in Microsoft's Flex Consumption quickstart with
// vnetEnabled (Azure-Samples/functions-quickstart-javascript-azd, infra/main.bicep).
var privateOnlyNetworkAcls = {
  bypass: 'None'
  defaultAction: 'Deny'
}

var publicNetworkAcls = {
  bypass: 'AzureServices'
  defaultAction: 'Allow'
}

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
    networkAcls: publicNetworkAccess == 'Disabled' ? privateOnlyNetworkAcls : publicNetworkAcls
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

// The Flex Consumption deployment package. Only the deployment identity (functionApp.bicep,
// functionAppConfig.deployment.storage) holds a role on it; the app's runtime identity has none.
resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// The three containers of the Functions host (see the header): the app's identity holds Storage Blob
// Data Contributor on each of them, not on the account.
resource hostContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: hostContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource hostCredentialsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: hostCredentialsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource checkpointContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: checkpointContainerName
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

@description('The name of the deployment package container.')
output deploymentContainerName string = deploymentContainer.name

@description('The name of the Functions host container (azure-webjobs-hosts).')
output hostContainerName string = hostContainer.name

@description('The name of the host key store container (azure-webjobs-secrets).')
output hostCredentialsContainerName string = hostCredentialsContainer.name

@description('The name of the Event Hubs checkpoint container (azure-webjobs-eventhub).')
output checkpointContainerName string = checkpointContainer.name

@description('The deployment container URL used by functionAppConfig.deployment.storage.')
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'

@description('The name of the blob container that holds the stored service tags.')
output serviceTagsContainerName string = serviceTagsContainer.name

@description('The name of the state table.')
output stateTableName string = stateTable.name

@description('The name of the rejects table.')
output rejectsTableName string = rejectsTable.name
