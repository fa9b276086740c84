// The user-assigned managed identity the function app runs as. User-assigned rather than
// system-assigned: the role assignments can be made before the app exists (no first-start race),
// the identity survives re-creating the app, and one client id serves the bindings and the SDK clients.

@description('Required. Name of the user-assigned managed identity.')
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('The name of the identity.')
output name string = identity.name

@description('The resource ID of the identity.')
output resourceId string = identity.id

@description('The principal (object) ID of the identity, for role assignments.')
output principalId string = identity.properties.principalId

@description('The client ID of the identity, for the __clientId settings and AZURE_CLIENT_ID.')
output clientId string = identity.properties.clientId
