// The private-network option (main.bicep privateNetworkEnabled, docs/deploy.md "Private network"): the
// private endpoints through which the VNet-integrated function app reaches its storage account (blob,
// queue and table) and its Event Hubs namespace once their public network access is Disabled, and the
// private DNS that makes the usual host names (<account>.blob.core.windows.net,
// <namespace>.servicebus.windows.net) resolve to them. main.bicep deploys this module only with the
// option on; with it off nothing here exists.
//
// The customer brings the virtual network: one subnet for these endpoints (privateEndpointSubnetResourceId)
// and another, delegated to Microsoft.App/environments, for the app's VNet integration (functionApp.bicep).
// The Flex Consumption integration subnet "can't already be used for other purposes, such as with
// private endpoints" (flex-consumption-how-to, "Enable virtual network integration"), hence two.
//
// Sub-resources (groupIds) and zones, as in Microsoft's Flex Consumption samples
// (Azure-Samples/functions-quickstart-javascript-azd infra/app/storage-PrivateEndpoint.bicep: 'blob',
// 'queue', 'table' in privatelink.<service>.<storage suffix>; Azure-Samples/azure-functions-flex-consumption-samples
// E2E/HTTP-VNET-EH/infra/core/networking/privateEndpoint.bicep: 'namespace' in
// privatelink.servicebus.windows.net). The queue endpoint is there because the host is given a queue
// service URI (AzureWebJobsStorage__queueServiceUri); the table endpoint serves the TokenWatch tables.
//
// DNS: for each zone, give the resource ID of an existing private DNS zone (typically a hub's, already
// linked to the networks that must resolve it), or leave it out and the zone is created here and
// linked to the endpoints' virtual network. Each endpoint registers its A records through a private DNS
// zone group.

@description('Required. Azure region of the private endpoints (the virtual network\'s).')
param location string

@description('Optional. Tags for the endpoints and the created zones.')
param tags object = {}

@description('Required. Name of the storage account, in this resource group.')
param storageAccountName string

@description('Required. Name of the Event Hubs namespace, in this resource group.')
param eventHubsNamespaceName string

@description('Required. Private DNS zone name of the namespace endpoint (eventHubs.bicep output privateDnsZoneName).')
param eventHubsPrivateDnsZoneName string

@description('Required. Resource ID of the subnet that holds the four private endpoints (not the VNet integration subnet).')
param privateEndpointSubnetResourceId string

@description('Optional. Existing private DNS zones by endpoint: { blob, queue, table, eventHubs }, each a resource ID of privatelink.blob.core.windows.net, privatelink.queue.core.windows.net, privatelink.table.core.windows.net and privatelink.servicebus.windows.net (public cloud names). A missing or empty entry: the zone is created in this resource group and linked to the endpoints\' virtual network.')
param privateDnsZoneResourceIds object = {}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

// /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>
// without its last two segments: the virtual network the created zones are linked to.
var virtualNetworkResourceId = split(privateEndpointSubnetResourceId, '/subnets/')[0]

// One entry per private endpoint: its sub-resource (groupId), the resource it connects, and its zone.
var endpoints = [
  {
    name: 'pe-${storageAccountName}-blob'
    groupId: 'blob'
    serviceResourceId: storage.id
    zoneName: 'privatelink.blob.${environment().suffixes.storage}'
    zoneResourceId: privateDnsZoneResourceIds.?blob ?? ''
  }
  {
    name: 'pe-${storageAccountName}-queue'
    groupId: 'queue'
    serviceResourceId: storage.id
    zoneName: 'privatelink.queue.${environment().suffixes.storage}'
    zoneResourceId: privateDnsZoneResourceIds.?queue ?? ''
  }
  {
    name: 'pe-${storageAccountName}-table'
    groupId: 'table'
    serviceResourceId: storage.id
    zoneName: 'privatelink.table.${environment().suffixes.storage}'
    zoneResourceId: privateDnsZoneResourceIds.?table ?? ''
  }
  {
    name: 'pe-${eventHubsNamespaceName}-namespace'
    groupId: 'namespace'
    serviceResourceId: namespace.id
    zoneName: eventHubsPrivateDnsZoneName
    zoneResourceId: privateDnsZoneResourceIds.?eventHubs ?? ''
  }
]

// A zone only where none was given.
resource zones 'Microsoft.Network/privateDnsZones@2020-06-01' = [for endpoint in endpoints: if (empty(endpoint.zoneResourceId)) {
  name: endpoint.zoneName
  location: 'global'
  tags: tags
}]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = [for (endpoint, i) in endpoints: if (empty(endpoint.zoneResourceId)) {
  parent: zones[i]
  name: 'link-${uniqueString(virtualNetworkResourceId)}'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: virtualNetworkResourceId
    }
  }
}]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-01-01' = [for endpoint in endpoints: {
  name: endpoint.name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetResourceId
    }
    privateLinkServiceConnections: [
      {
        name: endpoint.name
        properties: {
          privateLinkServiceId: endpoint.serviceResourceId
          groupIds: [
            endpoint.groupId
          ]
        }
      }
    ]
  }
}]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-01-01' = [for (endpoint, i) in endpoints: {
  parent: privateEndpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: replace(endpoint.zoneName, '.', '-')
        properties: {
          privateDnsZoneId: empty(endpoint.zoneResourceId) ? zones[i].id : endpoint.zoneResourceId
        }
      }
    ]
  }
}]

@description('The names of the private endpoints.')
output privateEndpointNames array = [for (endpoint, i) in endpoints: privateEndpoints[i].name]

@description('The sub-resources (groupIds) the private endpoints connect: blob, queue, table, namespace.')
output groupIds array = [for endpoint in endpoints: endpoint.groupId]
