// The one permission the serviceTagsRefresh timer needs outside the resource group: reading the
// Azure service tags through the Service Tag Discovery API
//   GET /subscriptions/{id}/providers/Microsoft.Network/locations/{location}/serviceTags
// which Azure authorizes with the action Microsoft.Network/locations/serviceTags/read on the
// subscription. No built-in role holds it without much more (Reader: every */read in the
// subscription; Network Contributor: write), so this module creates a custom role with that single
// action, assignable only in this subscription, and assigns it to the app's identity.
//
// Deployed from infra/main.bicep as a module with scope: subscription() (a resource-group
// deployment may deploy to its subscription through a module). The deploying principal needs
// Microsoft.Authorization/roleDefinitions/write and roleAssignments/write on the subscription
// (Owner, or User Access Administrator); without them set serviceTagsRefreshEnabled to false and
// use TOKENWATCH_SERVICE_TAGS_FILE instead (docs/deploy.md). `azd down` removes the resource group
// only: the role and its assignment stay until deleted by hand.
targetScope = 'subscription'

@description('Required. Principal (object) ID of the function app\'s user-assigned managed identity.')
param principalId string

// Custom role names are unique in the tenant: the subscription id in the name keeps two
// subscriptions' TokenWatch roles apart, and every environment in one subscription shares one role
// (its GUID: guid(subscription().id, 'TokenWatch Service Tag Reader')).
var roleName = 'TokenWatch Service Tag Reader (${subscription().subscriptionId})'

resource serviceTagReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'TokenWatch Service Tag Reader')
  properties: {
    roleName: roleName
    description: 'Reads the Azure service tags (Service Tag Discovery API) and nothing else. Used by the TokenWatch serviceTagsRefresh function.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Network/locations/serviceTags/read'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

// TokenWatch Service Tag Reader (custom role above, guid(subscription().id, 'TokenWatch Service Tag Reader'))
// on the subscription: the API is subscription-scoped, no narrower scope grants it.
resource serviceTagReaderAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, serviceTagReader.id)
  properties: {
    roleDefinitionId: serviceTagReader.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('The resource ID of the custom role definition.')
output roleDefinitionId string = serviceTagReader.id

@description('The name of the custom role.')
output roleName string = roleName
