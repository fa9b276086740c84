// Log Analytics workspace with Microsoft Sentinel onboarded, and the function app's Application
// Insights component. Both accept Microsoft Entra ID authentication only (local auth disabled).

@description('Required. Name of the Log Analytics workspace.')
param workspaceName string

@description('Required. Name of the Application Insights component.')
param appInsightsName string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the resources.')
param tags object = {}

@description('Optional. Days the workspace keeps data. Sentinel includes 90 days of retention at no extra charge.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 90

@description('Optional. Public network access for ingestion into the workspace and the component. Disabled needs an Azure Monitor Private Link Scope, including for the Logs Ingestion API calls of the function app.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccessForIngestion string = 'Enabled'

@description('Optional. Public network access for queries (the Sentinel portal, the theft sweep). Disabled needs an Azure Monitor Private Link Scope.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccessForQuery string = 'Enabled'

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: workspaceName
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

resource sentinel 'Microsoft.SecurityInsights/onboardingStates@2025-06-01' = {
  scope: workspace
  name: 'default'
  properties: {}
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Telemetry must carry a Microsoft Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), so the
    // instrumentation key inside the connection string is not enough to write to this component.
    DisableLocalAuth: true
    publicNetworkAccessForIngestion: publicNetworkAccessForIngestion
    publicNetworkAccessForQuery: publicNetworkAccessForQuery
  }
}

@description('The name of the workspace.')
output workspaceName string = workspace.name

@description('The resource ID of the workspace.')
output workspaceResourceId string = workspace.id

@description('The workspace (customer) ID, a GUID, for TOKENWATCH_WORKSPACE_ID.')
output workspaceCustomerId string = workspace.properties.customerId

@description('The name of the Sentinel onboarding state, for dependencies on Sentinel being enabled.')
output sentinelOnboardingName string = sentinel.name

@description('The name of the Application Insights component.')
output appInsightsName string = appInsights.name

@description('The resource ID of the Application Insights component.')
output appInsightsResourceId string = appInsights.id
