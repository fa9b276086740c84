// The alert feed into Sentinel: the TokenWatchAlerts_CL custom table and the data collection rule
// (kind Direct: it has its own Logs Ingestion endpoint, no data collection endpoint needed) whose
// stream the function app uploads to. The column lists come from alertColumns.json, which a test
// keeps equal to what src/core/alerts/sentinelSchema.ts derives from the alert-row type: the table,
// the stream and the code cannot drift apart.

@description('Required. Name of the existing Log Analytics workspace.')
param workspaceName string

@description('Required. Name of the data collection rule.')
param dataCollectionRuleName string

@description('Required. Azure region (the workspace region).')
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
