// The Log Analytics workspace with Microsoft Sentinel that TokenWatch reports to, one of two ways:
//   create = true   a new workspace, with Sentinel onboarded here (the default for a fresh environment);
//   create = false  the customer's existing workspace, where Sentinel is already on. It is only read
//                   (location, customer id): no property of it changes and Sentinel is not onboarded again.
// main.bicep deploys this module into the workspace's own resource group (module scope), which may be
// in another subscription of the tenant: "other resource groups in the same subscription or other
// subscriptions" are deployment targets of a resource-group deployment
// (https://learn.microsoft.com/azure/azure-resource-manager/bicep/deploy-to-resource-group).
// The new-or-existing pair with `existing = if (…)` follows "New or existing resource" in
// https://learn.microsoft.com/azure/azure-resource-manager/bicep/conditional-resource-deployment.

@description('Required. Name of the workspace, in the resource group this module is deployed to.')
param name string

@description('Required. True: create the workspace and onboard Microsoft Sentinel. False: use the existing workspace of this name, where Sentinel is already on; nothing is created or changed in it.')
param create bool

@description('Optional. Azure region of a new workspace. An existing workspace keeps its own.')
param location string = resourceGroup().location

@description('Optional. Tags of a new workspace.')
param tags object = {}

@description('Optional. Days a new workspace keeps data. Sentinel includes 90 days of retention at no extra charge.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 90

@description('Optional. Public network access for ingestion into a new workspace. Disabled needs an Azure Monitor Private Link Scope, including for the Logs Ingestion API calls of the function app.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccessForIngestion string = 'Enabled'

@description('Optional. Public network access for queries against a new workspace (the Sentinel portal, the sweeps). Disabled needs an Azure Monitor Private Link Scope.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccessForQuery string = 'Enabled'

resource newWorkspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = if (create) {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      // No workspace shared keys: agents and APIs authenticate with Microsoft Entra ID.
      disableLocalAuth: true
    }
    publicNetworkAccessForIngestion: publicNetworkAccessForIngestion
    publicNetworkAccessForQuery: publicNetworkAccessForQuery
  }
}

// Enables Microsoft Sentinel on the new workspace only. An existing workspace already has it: a second
// onboarding would be a write to the customer's Sentinel that TokenWatch has no reason to make.
resource sentinelOnboarding 'Microsoft.SecurityInsights/onboardingStates@2025-06-01' = if (create) {
  scope: newWorkspace
  name: 'default'
  properties: {}
}

resource existingWorkspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = if (!create) {
  name: name
}

@description('The name of the workspace.')
output name string = name

@description('The resource ID of the workspace.')
output resourceId string = create ? newWorkspace.id : existingWorkspace.id

@description('The Azure region of the workspace: the data collection rule must be created there.')
output location string = create ? newWorkspace!.location : existingWorkspace!.location

@description('The workspace (customer) ID, a GUID, for TOKENWATCH_WORKSPACE_ID.')
output customerId string = create ? newWorkspace!.properties.customerId : existingWorkspace!.properties.customerId

@description('Whether this deployment onboarded Microsoft Sentinel (true only for a new workspace).')
output sentinelOnboarded bool = create
