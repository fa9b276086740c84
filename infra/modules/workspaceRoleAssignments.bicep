// The function app identity's roles on the Sentinel side: the alert data collection rule and the Log
// Analytics workspace. Deployed into the workspace's resource group (main.bicep sets the module scope),
// which is where alertFeed.bicep creates the DCR, whether the workspace is new or the customer's existing
// one: each assignment is on the one resource it needs, never on the resource group or subscription.
// Names are guid(scope, principal, role), so re-deployments are idempotent.
// (test/infra/bicepPolicy.test.ts holds this exact set together with roleAssignments.bicep.)

@description('Required. Principal (object) ID of the function app\'s user-assigned managed identity.')
param principalId string

@description('Required. Name of the alert data collection rule, in the resource group this module is deployed to.')
param dataCollectionRuleName string

@description('Required. Name of the Log Analytics workspace, in the resource group this module is deployed to.')
param workspaceName string

@description('Optional. Grant Log Analytics Reader on the workspace. True when any function queries it: the theft sweep, the remote-use sweep or the backfill. Otherwise the app never reads the workspace.')
param workspaceReaderEnabled bool = false

var roles = {
  // Monitoring Metrics Publisher: send rows through a DCR (Logs Ingestion API).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Log Analytics Reader: run queries in the workspace.
  logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893'
}

resource dataCollectionRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' existing = {
  name: dataCollectionRuleName
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
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

// Log Analytics Reader (73c42c96-874c-492b-b04d-ab87d138a893) on the workspace, only when a function
// queries it: the theft sweep, the remote-use sweep or the backfill, all through TOKENWATCH_WORKSPACE_ID.
resource workspaceReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (workspaceReaderEnabled) {
  name: guid(workspace.id, principalId, roles.logAnalyticsReader)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.logAnalyticsReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
