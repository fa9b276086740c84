// Streams the data-plane logs of one Key Vault or one storage account into the audit hub, where the
// remoteTokenUse function reads which token was used from which IP address against secrets, keys and
// blobs. main.bicep deploys it once per chosen resource, into that resource's own resource group
// (module scope; another subscription works too). It creates one diagnostic setting, named
// tokenwatch-audit-hub, next to whatever settings the resource already has (at most five per resource).
//
//   Key Vault   setting on the vault: AuditEvent ("Audit Logs": every authenticated request to the
//               vault and its keys, secrets and certificates, with the caller IP and identity).
//   Storage     setting on the blob service, <account>/blobServices/default: StorageRead, and on request
//               StorageWrite and StorageDelete. The storage account resource itself only has metrics;
//               its resource log categories belong to the service sub-resources.
// Categories: https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-keyvault-vaults-logs
// and …/supported-logs/microsoft-storage-storageaccounts-blobservices-logs. The Key Vault category has
// no export charge; the blob categories are billed for export ("Costs to export: Yes", Platform Logs on
// the Azure Monitor pricing page) on top of the Event Hubs ingress (docs/deploy.md).
//
// The destination is the namespace's Send-only authorization rule, by resource ID, with the hub named,
// as for the Entra and Activity-log settings (infra/tenant/entra-diagnostics.bicep): the key never
// leaves Azure. A namespace rule because diagnostic settings reject one on a hub; Send only because
// the hub is named (infra/modules/eventHubs.bicep gives the sources). With the private network option
// the namespace refuses public traffic and these settings come in as a trusted Microsoft service. "Event hubs must be in the same region as the resource that you're monitoring if the
// resource is regional" (https://learn.microsoft.com/azure/azure-monitor/platform/diagnostic-settings,
// Destinations), so only vaults and accounts in the namespace's region can be connected.
// Schema: Microsoft.Insights/diagnosticSettings@2021-05-01-preview, an extension resource whose scope is
// the monitored resource (properties eventHubAuthorizationRuleId, eventHubName, logs[category, enabled]).

@description('Required. The kind of resource: KeyVault (a Microsoft.KeyVault/vaults) or StorageBlob (the blob service of a Microsoft.Storage/storageAccounts).')
@allowed([
  'KeyVault'
  'StorageBlob'
])
param kind string

@description('Required. Name of the Key Vault or storage account, in the resource group this module is deployed to.')
param resourceName string

@description('Required. Resource ID of the namespace-level Send-only Event Hubs authorization rule (output TOKENWATCH_DIAGNOSTICS_AUTHORIZATION_RULE_ID of infra/main.bicep). A rule on a hub is rejected by diagnostic settings.')
param eventHubAuthorizationRuleId string

@description('Required. Name of the audit hub (output TOKENWATCH_AUDIT_HUB of infra/main.bicep).')
param auditHubName string

@description('Optional. Storage only: also stream StorageWrite and StorageDelete. StorageRead alone carries the reads TokenWatch looks for; writes and deletes add volume and show tampering.')
param storageWriteDeleteLogs bool = false

@description('Optional. Name of the diagnostic setting.')
param settingName string = 'tokenwatch-audit-hub'

var isVault = kind == 'KeyVault'

var vaultCategories = [
  'AuditEvent'
]

var storageReadCategories = [
  'StorageRead'
]

var storageWriteDeleteCategories = [
  'StorageWrite'
  'StorageDelete'
]

var storageBlobCategories = storageWriteDeleteLogs ? concat(storageReadCategories, storageWriteDeleteCategories) : storageReadCategories

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = if (isVault) {
  name: resourceName
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' existing = if (!isVault) {
  name: resourceName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' existing = if (!isVault) {
  parent: storageAccount
  name: 'default'
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (isVault) {
  name: settingName
  scope: vault
  properties: {
    eventHubAuthorizationRuleId: eventHubAuthorizationRuleId
    // Naming the hub lets a Send-only rule suffice.
    eventHubName: auditHubName
    logs: [for category in vaultCategories: {
      category: category
      enabled: true
    }]
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!isVault) {
  name: settingName
  scope: blobService
  properties: {
    eventHubAuthorizationRuleId: eventHubAuthorizationRuleId
    // Naming the hub lets a Send-only rule suffice.
    eventHubName: auditHubName
    logs: [for category in storageBlobCategories: {
      category: category
      enabled: true
    }]
  }
}

@description('The log categories this setting streams.')
output categories array = isVault ? vaultCategories : storageBlobCategories

@description('The resource ID of the monitored resource (the vault, or the blob service of the account).')
output monitoredResourceId string = isVault ? vault.id : blobService.id
