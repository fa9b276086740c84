// Streams the Entra ID logs TokenWatch reads into the audit hub, and (optionally) the subscription's
// Activity log too. Deploy once per tenant, after infra/main.bicep:
//
//   az deployment sub create --location <region> --template-file infra/tenant/entra-diagnostics.bicep \
//     --parameters eventHubAuthorizationRuleId=<TOKENWATCH_DIAGNOSTICS_AUTHORIZATION_RULE_ID> auditHubName=<TOKENWATCH_AUDIT_HUB>
//
// Who runs it: an Entra ID Security Administrator (or Global Administrator), because the Entra
// diagnostic setting is a tenant-level resource (microsoft.aadiam, scope tenant()) that Azure RBAC
// does not govern; the same person also needs, on the subscription, rights to create deployments and
// the Activity-log setting (Monitoring Contributor), and on the namespace, the right to use the
// authorization rule (Microsoft.EventHub/namespaces/authorizationRules/listkeys/action, e.g. Azure
// Event Hubs Data Owner or Contributor on the namespace). Exporting sign-in logs needs a Microsoft
// Entra ID P1 or P2 licence.
//
// It is a subscription deployment with one resource at scope tenant() rather than a tenant
// deployment: a tenant deployment also needs Azure RBAC at the root scope ('/'), which most
// Security Administrators do not (and should not) hold.
//
// Why SAS: diagnostic settings stream to Event Hubs only through a namespace authorization rule
// (no Microsoft Entra ID option exists for this destination), which is why the namespace keeps local
// authentication enabled. It must be a rule on the namespace, not on the audit hub: the service
// rejects a hub-level rule for eventHubAuthorizationRuleId (Azure/azure-policy#351). The rule grants
// Send only, less than the Manage, Send and Listen Microsoft documents: Azure resource settings demand
// Manage only "if a valid EventHub name is not specified in the diagnostic setting"
// (Azure/azure-cli#24425), and this setting names the hub; that the Entra setting behaves the same is
// not documented, so docs/deploy.md (section 4) says how to pass a rule with all three rights instead
// (eventHubAuthorizationRuleId is a parameter for that reason). No key leaves Azure: the setting
// refers to the rule by resource ID and the platform fetches the key itself. See
// infra/modules/eventHubs.bicep for both rules and their sources.
//
// With the private network option (docs/deploy.md, "Private network") the namespace refuses public
// traffic; the Entra and Activity-log settings still deliver through the "Allow trusted Microsoft
// services" exception the namespace keeps on (Azure Monitor diagnostic settings are a trusted service).
targetScope = 'subscription'

@description('Required. Resource ID of the namespace-level Send-only Event Hubs authorization rule (output TOKENWATCH_DIAGNOSTICS_AUTHORIZATION_RULE_ID of infra/main.bicep). A rule on a hub is rejected by diagnostic settings.')
param eventHubAuthorizationRuleId string

@description('Required. Name of the audit hub (output TOKENWATCH_AUDIT_HUB of infra/main.bicep).')
param auditHubName string

@description('Optional. Name of the Entra ID diagnostic setting.')
param entraSettingName string = 'tokenwatch-audit-hub'

@description('Optional. Also stream MicrosoftGraphActivityLogs: the Graph calls made with each token and the IP they came from, which is how remote use of a managed identity token against Microsoft Graph is seen (billed per GB by Entra ID).')
param includeGraphActivityLogs bool = true

@description('Optional. Also create the Activity-log diagnostic setting of the current subscription (Azure Resource Manager calls with the caller IP and token claims).')
param includeActivityLog bool = true

var signInCategories = [
  // Token issuance to managed identities: links a token (uniqueTokenIdentifier) to its identity.
  'ManagedIdentitySignInLogs'
  // Token issuance to service principals (workload identities that are not managed identities).
  'ServicePrincipalSignInLogs'
]
var categories = includeGraphActivityLogs ? concat(signInCategories, ['MicrosoftGraphActivityLogs']) : signInCategories

resource entraDiagnostics 'microsoft.aadiam/diagnosticSettings@2017-04-01' = {
  name: entraSettingName
  scope: tenant()
  properties: {
    eventHubAuthorizationRuleId: eventHubAuthorizationRuleId
    // Naming the hub lets a Send-only rule suffice, and keeps the namespace rule's writes on the audit hub.
    eventHubName: auditHubName
    logs: [for category in categories: {
      category: category
      enabled: true
    }]
  }
}

module activityLog 'activity-log-diagnostics.bicep' = if (includeActivityLog) {
  name: 'tokenwatch-activity-log'
  params: {
    eventHubAuthorizationRuleId: eventHubAuthorizationRuleId
    auditHubName: auditHubName
  }
}

@description('The log categories streamed from Entra ID to the audit hub.')
output entraCategories array = categories
