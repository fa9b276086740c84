// Streams the subscription's Activity log (Azure Resource Manager write, delete and action calls,
// with the caller IP and the token claims: uti, xms_mirid, idtyp) into the audit hub, where the
// remoteTokenUse function compares where each managed identity token was used.
// Deploy per subscription to watch (infra/tenant/entra-diagnostics.bicep calls it for the current
// one); needs Monitoring Contributor on the subscription and the right to use the authorization rule.
targetScope = 'subscription'

@description('Required. Resource ID of the namespace-level Send-only Event Hubs authorization rule (output TOKENWATCH_DIAGNOSTICS_AUTHORIZATION_RULE_ID of infra/main.bicep). A rule on a hub is rejected by diagnostic settings.')
param eventHubAuthorizationRuleId string

@description('Required. Name of the audit hub (output TOKENWATCH_AUDIT_HUB of infra/main.bicep).')
param auditHubName string

@description('Optional. Name of the Activity-log diagnostic setting.')
param settingName string = 'tokenwatch-audit-hub'

@description('Optional. Activity-log categories to stream. Administrative carries the Resource Manager calls TokenWatch reads; the others carry no token use.')
param categories array = [
  'Administrative'
]

resource activityLogDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  properties: {
    eventHubAuthorizationRuleId: eventHubAuthorizationRuleId
    // Naming the hub lets a Send-only rule suffice (see entra-diagnostics.bicep).
    eventHubName: auditHubName
    logs: [for category in categories: {
      category: category
      enabled: true
    }]
  }
}

@description('The resource ID of the Activity-log diagnostic setting.')
output resourceId string = activityLogDiagnostics.id
