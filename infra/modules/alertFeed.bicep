// The alert feed into Sentinel: the TokenWatchAlerts_CL custom table and the data collection rule
// (kind Direct: it has its own Logs Ingestion endpoint, no data collection endpoint needed) whose
// stream the function app uploads to. The column lists come from alertColumns.json, which a test
// keeps equal to what src/core/alerts/sentinelSchema.ts derives from the alert-row type: the table,
// the stream and the code cannot drift apart.
//
// Deployed into the workspace's resource group (main.bicep sets the module scope), so the table, the
// DCR and the workspace sit together whether the workspace is new or the customer's existing one.
// Region rule: the DCR is created in the workspace's region. For the Logs Ingestion API the DCR
// "region ... must match the region of the Log Analytics workspace and the DCE if you're using one"
// (https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview, "Data collection
// rule"). The function app may run in another region: it only calls the DCR's HTTPS endpoint.

@description('Required. Name of the existing Log Analytics workspace, in the resource group this module is deployed to.')
param workspaceName string

@description('Required. Name of the data collection rule.')
param dataCollectionRuleName string

@description('Required. Azure region of the workspace: the data collection rule must be created in the region of its destination workspace.')
param location string

@description('Optional. Tags for the data collection rule.')
param tags object = {}

@description('Optional. Days the alert table keeps rows interactively.')
@minValue(4)
@maxValue(730)
param retentionInDays int = 90

var alertColumns = loadJsonContent('alertColumns.json')

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
}

resource alertTable 'Microsoft.OperationalInsights/workspaces/tables@2025-02-01' = {
  parent: workspace
  name: alertColumns.tableName
  properties: {
    plan: 'Analytics'
    retentionInDays: retentionInDays
    schema: {
      name: alertColumns.tableName
      description: 'TokenWatch alerts: managed identity tokens used remotely, and token theft on endpoints.'
      columns: alertColumns.tableColumns
    }
  }
}

resource dataCollectionRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: dataCollectionRuleName
  location: location
  tags: tags
  kind: 'Direct'
  properties: {
    description: 'TokenWatch alert rows from the function app (Logs Ingestion API) into ${alertColumns.tableName}.'
    streamDeclarations: {
      '${alertColumns.streamName}': {
        columns: alertColumns.streamColumns
      }
    }
    destinations: {
      logAnalytics: [
        {
          name: 'sentinelWorkspace'
          workspaceResourceId: workspace.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          alertColumns.streamName
        ]
        destinations: [
          'sentinelWorkspace'
        ]
        // Rows arrive in table shape already; the code that shapes them is tested against the schema.
        transformKql: 'source'
        outputStream: alertColumns.outputStream
      }
    ]
  }
  dependsOn: [
    alertTable
  ]
}

@description('The name of the alert table.')
output tableName string = alertTable.name

@description('The name of the data collection rule.')
output dataCollectionRuleName string = dataCollectionRule.name

@description('The resource ID of the data collection rule.')
output dataCollectionRuleResourceId string = dataCollectionRule.id

@description('The immutable ID of the data collection rule, for TOKENWATCH_DCR_IMMUTABLE_ID.')
output immutableId string = dataCollectionRule.properties.immutableId

@description('The Logs Ingestion endpoint of the data collection rule, for TOKENWATCH_DCR_ENDPOINT.')
output logsIngestionEndpoint string = dataCollectionRule.properties.endpoints.logsIngestion

@description('The DCR input stream name, for TOKENWATCH_DCR_STREAM.')
output streamName string = alertColumns.streamName
