// The TokenWatch hunting queries in Sentinel: each KQL file under rules/kql (the Advanced Hunting twin
// of one theft-detector rule and of its Sigma rule) as a saved search in the category "Hunting
// Queries", which Sentinel lists under Hunting, tagged with the rule's tactic and techniques. The KQL
// is loaded from the files with loadTextContent(), so the tests parse exactly what is deployed. The
// queries read Defender for Endpoint tables (DeviceProcessEvents, DeviceNetworkEvents,
// DeviceFileEvents) and SecurityEvent: they return rows where those tables are connected.
// Deployed into the workspace's resource group (main.bicep sets the module scope), new or existing.
// Deploying saved searches needs Log Analytics Contributor (92aaf0da-9dab-42b6-94a3-d43ce8d16293)
// or Microsoft Sentinel Contributor on the workspace for the deployer.

@description('Required. Name of the existing Log Analytics workspace with Sentinel onboarded, in the resource group this module is deployed to.')
param workspaceName string

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
}

// One entry per rules/kql file: id (the file name, the detector rule's id), the name Sentinel shows,
// a description, and the rule's ATT&CK techniques (src/core/theft/theftRules.ts).
var huntingQueries = [
  {
    id: 'token-endpoint-request'
    displayName: 'TokenWatch - Token endpoint request by an untrusted process'
    description: 'Processes whose command line requests a cloud workload token from a metadata or token endpoint (Azure IMDS, Arc, App Service, AWS, GCP), other than the cloud agents.'
    techniques: 'T1528,T1552.005'
    query: loadTextContent('../../rules/kql/token-endpoint-request.kql')
  }
  {
    id: 'token-endpoint-connection'
    displayName: 'TokenWatch - Connection to a cloud metadata endpoint by an untrusted process'
    description: 'Connections to metadata and token endpoint addresses by processes other than the cloud agents, with the first time each program did so on each device.'
    techniques: 'T1528,T1552.005'
    query: loadTextContent('../../rules/kql/token-endpoint-connection.kql')
  }
  {
    id: 'service-account-token-read'
    displayName: 'TokenWatch - Kubernetes or workload identity token read by an untrusted process'
    description: 'Command lines naming Kubernetes service-account and workload identity token files, and writes of copies of them, by processes other than the orchestration.'
    techniques: 'T1528,T1552.001'
    query: loadTextContent('../../rules/kql/service-account-token-read.kql')
  }
  {
    id: 'token-cache-access'
    displayName: 'TokenWatch - Cloud CLI or OAuth token cache accessed by an untrusted process'
    description: 'Cloud CLI and OAuth token cache files touched, or named on a command line, by processes other than the tools that own them.'
    techniques: 'T1528,T1552.001'
    query: loadTextContent('../../rules/kql/token-cache-access.kql')
  }
  {
    id: 'arc-identity-key-read'
    displayName: 'TokenWatch - Azure Arc managed identity key file read by an untrusted process'
    description: 'Azure Arc challenge key files read by anything but the Arc agent, its extensions and the Azure CLI (command lines, and 4663 object-access events where a SACL audits the Tokens folder).'
    techniques: 'T1528,T1552.001'
    query: loadTextContent('../../rules/kql/arc-identity-key-read.kql')
  }
]

// The tags Sentinel's Hunting page reads: description, tactics and techniques (comma-separated).
resource savedSearches 'Microsoft.OperationalInsights/workspaces/savedSearches@2025-02-01' = [
  for query in huntingQueries: {
    parent: workspace
    name: guid(workspace.id, 'tokenwatch', 'hunting', query.id)
    properties: {
      category: 'Hunting Queries'
      displayName: query.displayName
      query: query.query
      version: 2
      tags: [
        {
          name: 'description'
          value: query.description
        }
        {
          name: 'tactics'
          value: 'CredentialAccess'
        }
        {
          name: 'techniques'
          value: query.techniques
        }
      ]
    }
  }
]

@description('The resource IDs of the hunting queries (saved searches), in the order of rules/kql files listed above.')
output savedSearchIds array = [for (query, i) in huntingQueries: savedSearches[i].id]
