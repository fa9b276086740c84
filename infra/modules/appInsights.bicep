// The function app's Application Insights component, in the TokenWatch resource group, storing its
// telemetry in a Log Analytics workspace (by default the Sentinel workspace, which may be an existing one
// in another resource group or subscription). It accepts Microsoft Entra ID authentication only.

@description('Required. Name of the Application Insights component.')
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the component.')
param tags object = {}

@description('Required. Resource ID of the Log Analytics workspace that stores the telemetry.')
param workspaceResourceId string

@description('Optional. Public network access for ingestion into the component. Disabled needs an Azure Monitor Private Link Scope.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccessForIngestion string = 'Enabled'

@description('Optional. Public network access for queries against the component. Disabled needs an Azure Monitor Private Link Scope.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccessForQuery string = 'Enabled'

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspaceResourceId
    // Telemetry must carry a Microsoft Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), so the
    // instrumentation key inside the connection string is not enough to write to this component.
    DisableLocalAuth: true
    publicNetworkAccessForIngestion: publicNetworkAccessForIngestion
    publicNetworkAccessForQuery: publicNetworkAccessForQuery
  }
}

@description('The name of the Application Insights component.')
output name string = appInsights.name

@description('The resource ID of the Application Insights component.')
output resourceId string = appInsights.id
