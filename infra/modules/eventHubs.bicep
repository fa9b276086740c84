// The Event Hubs namespace with the two input hubs:
//   audit hub    - Entra sign-in / Microsoft Graph activity and Azure Activity logs, written by
//                  diagnostic settings (infra/tenant/entra-diagnostics.bicep), read by remoteTokenUse;
//   endpoint hub - endpoint telemetry (process, network and file events), read by tokenTheft.
// Each reading function has its own consumer group, so the two never steal each other's partitions
// and a SOC tool can add its own group without touching TokenWatch.
//
// Local (SAS) authentication stays ENABLED on purpose: diagnostic settings can only stream to Event
// Hubs through a namespace authorization rule (there is no Microsoft Entra ID option for the
// "Stream to an event hub" destination, MicrosoftDocs/azure-docs#119932). The function app itself
// never uses SAS: it reads with its managed identity (Azure Event Hubs Data Receiver).
//
// Two authorization rules, each with Send only, one per hub's writers:
//   tokenwatch-diagnostics-send  on the NAMESPACE, for the diagnostic settings (Entra, Activity log,
//                                Key Vault, Storage) that write the audit hub. It cannot be a rule on
//                                the audit hub: the service rejects one ("Resource type
//                                'microsoft.eventhub/namespaces/eventhubs/authorizationrules' is
//                                invalid for property 'properties.eventHubAuthorizationRuleId'.
//                                Expected types are ... 'microsoft.eventhub/namespaces/authorizationrules'",
//                                Azure/azure-policy#351, MicrosoftDocs/azure-docs#11140 and #87817).
//                                A namespace rule's Send reaches every hub of the namespace; its key is
//                                only ever read by the diagnostic-settings pipeline (by resource ID,
//                                never output) and by holders of .../authorizationRules/listkeys/action,
//                                and every setting in this repository names the audit hub.
//   tokenwatch-endpoint-send     on the ENDPOINT HUB, for an endpoint telemetry exporter that can only
//                                use a connection string; it can write that hub and nothing else.
//                                Exporters that sign in with Microsoft Entra ID need no rule: give
//                                them Azure Event Hubs Data Sender on the hub (docs/deploy.md, section 6).
// Send only, not the "Manage, Send, and Listen" the Azure Monitor page lists for the destination
// (https://learn.microsoft.com/azure/azure-monitor/platform/diagnostic-settings, Destinations): the
// service asks for Manage only "if a valid EventHub name is not specified in the diagnostic setting"
// (its error text, Azure/azure-cli#24425 and Azure/azure-policy#995, where a named hub with a Send-only
// rule "works flawless"), and every setting here names the audit hub.
//
// Network: with publicNetworkAccess Disabled (main.bicep privateNetworkEnabled) only the private
// endpoint and the trusted Microsoft services get in. "Azure Monitor (Diagnostic Settings and Action
// Groups)" is a trusted service, and diagnostic settings "can't access Event Hubs resources when
// virtual networks are enabled" unless "Allow trusted Microsoft services" is on
// (https://learn.microsoft.com/azure/event-hubs/event-hubs-ip-filtering#trusted-microsoft-services and
// the diagnostic-settings page above), hence trustedServiceAccessEnabled below.

@description('Required. Name of the Event Hubs namespace.')
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the namespace.')
param tags object = {}

@description('Required. Name of the hub that receives Entra and Azure audit logs (TOKENWATCH_AUDIT_HUB).')
param auditHubName string

@description('Required. Name of the hub that receives endpoint telemetry (TOKENWATCH_ENDPOINT_HUB).')
param endpointHubName string

@description('Required. Consumer group of the remoteTokenUse function on the audit hub (TOKENWATCH_AUDIT_CONSUMER_GROUP).')
param auditConsumerGroupName string

@description('Required. Consumer group of the tokenTheft function on the endpoint hub (TOKENWATCH_ENDPOINT_CONSUMER_GROUP).')
param endpointConsumerGroupName string

@description('Optional. Partitions per hub: the upper bound on parallel function instances per hub. Cannot be changed later on the Standard tier.')
@minValue(1)
@maxValue(32)
param partitionCount int = 4

@description('Optional. Hours a hub keeps events. 168 (7 days) is the Standard tier maximum: the function can be down for a week without losing events.')
@minValue(1)
@maxValue(168)
param retentionHours int = 168

@description('Optional. Throughput units of the Standard namespace (1 unit = 1 MB/s or 1000 events/s in).')
@minValue(1)
@maxValue(20)
param capacity int = 1

@description('Optional. Public network access. Diagnostic settings reach the namespace as a trusted Microsoft service (the network rule set below keeps that exception on); Disabled also needs the namespace private endpoint and VNet integration for the function app (main.bicep privateNetworkEnabled), and endpoint telemetry exporters inside the network.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: capacity
  }
  properties: {
    minimumTlsVersion: '1.2'
    // Kept false (SAS allowed): diagnostic settings need the authorization rule below. See the file header.
    disableLocalAuth: false
    publicNetworkAccess: publicNetworkAccess
  }
}

// The namespace firewall, declared in both modes so that turning the private option off again also
// reopens it. Disabled: no public traffic, only the private endpoint and the trusted services (the
// diagnostic settings); Enabled: the default Allow. No IP or virtual network rules: the app comes in
// through the private endpoint.
resource networkRuleSet 'Microsoft.EventHub/namespaces/networkRuleSets@2024-01-01' = {
  parent: namespace
  name: 'default'
  properties: {
    publicNetworkAccess: publicNetworkAccess
    defaultAction: publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow'
    trustedServiceAccessEnabled: true
    ipRules: []
    virtualNetworkRules: []
  }
}

resource auditHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: auditHubName
  properties: {
    partitionCount: partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionHours
    }
  }
}

resource endpointHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: endpointHubName
  properties: {
    partitionCount: partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionHours
    }
  }
}

resource auditConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: auditHub
  name: auditConsumerGroupName
}

resource endpointConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: endpointHub
  name: endpointConsumerGroupName
}

// Send only, on the namespace: the one rule diagnostic settings accept (see the file header). Every
// diagnostic setting that uses it names the audit hub, which is what lets Send suffice.
resource diagnosticsSendRule 'Microsoft.EventHub/namespaces/authorizationRules@2024-01-01' = {
  parent: namespace
  name: 'tokenwatch-diagnostics-send'
  properties: {
    rights: [
      'Send'
    ]
  }
}

// Send only, on the endpoint hub: a connection-string exporter of endpoint telemetry can write this
// hub and no other (see the file header).
resource endpointSendRule 'Microsoft.EventHub/namespaces/eventhubs/authorizationRules@2024-01-01' = {
  parent: endpointHub
  name: 'tokenwatch-endpoint-send'
  properties: {
    rights: [
      'Send'
    ]
  }
}

// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/ (another suffix in sovereign clouds): keep the host.
var fullyQualifiedNamespaceValue = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]

@description('The name of the namespace.')
output name string = namespace.name

@description('The resource ID of the namespace.')
output resourceId string = namespace.id

@description('The fully qualified namespace (<name>.servicebus.windows.net) for TOKENWATCH_EVENTHUB__fullyQualifiedNamespace.')
output fullyQualifiedNamespace string = fullyQualifiedNamespaceValue

@description('The name of the audit hub.')
output auditHubName string = auditHub.name

@description('The name of the endpoint hub.')
output endpointHubName string = endpointHub.name

@description('The consumer group of remoteTokenUse on the audit hub.')
output auditConsumerGroupName string = auditConsumerGroup.name

@description('The consumer group of tokenTheft on the endpoint hub.')
output endpointConsumerGroupName string = endpointConsumerGroup.name

@description('The resource ID (not a key) of the namespace-level Send-only authorization rule the diagnostic settings use, always with the audit hub named.')
output diagnosticsAuthorizationRuleId string = diagnosticsSendRule.id

@description('The resource ID (not a key) of the Send-only authorization rule on the endpoint hub, for connection-string exporters of endpoint telemetry.')
output endpointAuthorizationRuleId string = endpointSendRule.id

@description('The private DNS zone of the namespace private endpoint (privatelink. plus the namespace host suffix, privatelink.servicebus.windows.net in the public cloud).')
output privateDnsZoneName string = 'privatelink.${substring(fullyQualifiedNamespaceValue, length(namespace.name) + 1)}'
