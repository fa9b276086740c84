// The Event Hubs namespace with the two input hubs:
//   audit hub    - Entra sign-in / Microsoft Graph activity and Azure Activity logs, written by
//                  diagnostic settings (infra/tenant/entra-diagnostics.bicep), read by remoteTokenUse;
//   endpoint hub - endpoint telemetry (process, network and file events), read by tokenTheft.
// Each reading function has its own consumer group, so the two never steal each other's partitions
// and a SOC tool can add its own group without touching TokenWatch.
//
// Local (SAS) authentication stays ENABLED on purpose: diagnostic settings can only stream to Event
// Hubs through a namespace authorization rule (there is no Microsoft Entra ID option for the
// "Stream to an event hub" destination). The only rule defined here grants Send, nothing else; the
// function app itself never uses SAS: it reads with its managed identity (Azure Event Hubs Data Receiver).

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

@description('Optional. Public network access. Diagnostic settings reach the namespace as a trusted Microsoft service; Disabled also needs a private endpoint for the function app.')
@allowed([
  'Enabled'
  'Disabled'
  'SecuredByPerimeter'
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

// Send only: diagnostic settings accept a Send-only rule when the setting names the hub
// (without a hub name they demand Manage). The tenant deployment always names the audit hub.
resource diagnosticsSendRule 'Microsoft.EventHub/namespaces/authorizationRules@2024-01-01' = {
  parent: namespace
  name: 'tokenwatch-diagnostics-send'
  properties: {
    rights: [
      'Send'
    ]
  }
}

@description('The name of the namespace.')
output name string = namespace.name

@description('The resource ID of the namespace.')
output resourceId string = namespace.id

// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/ (another suffix in sovereign clouds): keep the host.
@description('The fully qualified namespace (<name>.servicebus.windows.net) for TOKENWATCH_EVENTHUB__fullyQualifiedNamespace.')
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]

@description('The name of the audit hub.')
output auditHubName string = auditHub.name

@description('The name of the endpoint hub.')
output endpointHubName string = endpointHub.name

@description('The consumer group of remoteTokenUse on the audit hub.')
output auditConsumerGroupName string = auditConsumerGroup.name

@description('The consumer group of tokenTheft on the endpoint hub.')
output endpointConsumerGroupName string = endpointConsumerGroup.name

@description('The resource ID (not a key) of the Send-only authorization rule the diagnostic settings use.')
output diagnosticsAuthorizationRuleId string = diagnosticsSendRule.id
