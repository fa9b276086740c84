// Sentinel content over TokenWatchAlerts_CL: three scheduled analytics rules (remote token use, token
// theft, and the two joined: stolen and used) and the TokenWatch workbook. The KQL texts and the workbook are files next to this module,
// loaded with loadTextContent(), so the tests parse exactly what is deployed. The same three rules as
// Azure-Sentinel community YAML are in rules/sentinel, generated from this file and the KQL
// (test/infra/sentinelRuleYaml.test.ts); the hunting queries are in huntingQueries.bicep.
// Deploying alert rules needs Microsoft Sentinel Contributor (ab8e14d6-4a74-4a29-9ba8-549422addade)
// on the workspace for the deployer (Owner or Contributor on the resource group includes it).
// Deployed into the workspace's resource group (main.bicep sets the module scope): the rules are
// extension resources of the workspace (Microsoft.SecurityInsights/alertRules, scope: the workspace) and
// the workbook (sourceId: the workspace, category sentinel) is created next to it, in its region.

@description('Required. Name of the existing Log Analytics workspace with Sentinel onboarded, in the resource group this module is deployed to.')
param workspaceName string

@description('Required. Azure region of the workspace, for the workbook.')
param location string

@description('Optional. Tags for the workbook.')
param tags object = {}

@description('Optional. Create the analytics rules enabled. Set false to review them in the portal before they raise incidents.')
param rulesEnabled bool = true

@description('Optional. Resource ID of the Log Analytics workspace that holds the function app\'s Application Insights traces (AppTraces), read by the workbook\'s pipeline-health tiles. Empty: this workspace.')
param appInsightsWorkspaceResourceId string = ''

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
}

// Both rules: every 5 minutes over the last hour (late rows are still found; the KQL raises only
// AlertIds first ingested in the last 6 minutes, so redelivered rows do not alert again in later
// runs; the minute two runs share can raise one twice, into one incident), one Sentinel alert per
// row (up to Sentinel's 150 per run), name/description/severity taken from the row.
var schedule = {
  queryFrequency: 'PT5M'
  queryPeriod: 'PT1H'
  triggerOperator: 'GreaterThan'
  triggerThreshold: 0
  suppressionEnabled: false
  suppressionDuration: 'PT5H'
  eventGroupingSettings: {
    aggregationKind: 'AlertPerResult'
  }
  alertDetailsOverride: {
    alertDisplayNameFormat: '{{AlertName}}'
    alertDescriptionFormat: '{{Reason}}'
    alertSeverityColumnName: 'Severity'
  }
  // Steal Application Access Token: using or taking a workload identity's token.
  tactics: [
    'CredentialAccess'
  ]
  techniques: [
    'T1528'
  ]
}

resource remoteTokenUseRule 'Microsoft.SecurityInsights/alertRules@2025-06-01' = {
  scope: workspace
  name: guid(workspace.id, 'tokenwatch', 'remote-token-use')
  kind: 'Scheduled'
  properties: union(schedule, {
    displayName: 'TokenWatch - managed identity token used remotely'
    description: 'A managed identity token was replayed from a second network, or used from outside Azure or from an Azure region, IP address or autonomous system not seen for that identity in 30 days. Severity: High for a replayed token, a network caught replaying or a new autonomous system; Medium for a new IP address or Azure region; Low for other use from outside Azure (all of it in the tenant\'s first 14 days). Networks the operator allowlisted raise nothing.'
    enabled: rulesEnabled
    // Default only: every alert takes its severity from the row (alertSeverityColumnName).
    severity: 'Medium'
    query: loadTextContent('sentinel/remoteTokenUse.kql')
    customDetails: {
      AlertId: 'AlertId'
      ASN: 'ASN'
      ASOrganization: 'ASOrganization'
      IPScope: 'IPScope'
      TokenId: 'TokenId'
      Operation: 'Operation'
      SourceCategory: 'SourceCategory'
    }
    entityMappings: [
      {
        entityType: 'Account'
        fieldMappings: [
          {
            identifier: 'AadUserId'
            columnName: 'IdentityObjectId'
          }
          {
            identifier: 'Name'
            columnName: 'IdentityName'
          }
        ]
      }
      {
        entityType: 'IP'
        fieldMappings: [
          {
            identifier: 'Address'
            columnName: 'IPAddress'
          }
        ]
      }
      {
        entityType: 'AzureResource'
        fieldMappings: [
          {
            identifier: 'ResourceId'
            columnName: 'IdentityResourceId'
          }
        ]
      }
    ]
    incidentConfiguration: {
      createIncident: true
      groupingConfiguration: {
        enabled: true
        reopenClosedIncident: false
        lookbackDuration: 'PT24H'
        matchingMethod: 'Selected'
        groupByEntities: [
          'Account'
        ]
        groupByAlertDetails: []
        groupByCustomDetails: []
      }
    }
  })
}

resource tokenTheftRule 'Microsoft.SecurityInsights/alertRules@2025-06-01' = {
  scope: workspace
  name: guid(workspace.id, 'tokenwatch', 'token-theft')
  kind: 'Scheduled'
  properties: union(schedule, {
    displayName: 'TokenWatch - cloud token theft on an endpoint'
    description: 'A process that is not on the trusted-process list requested a managed identity token, read a Kubernetes service-account token or read a cloud CLI token cache.'
    enabled: rulesEnabled
    // Default only: every alert takes its severity from the row (alertSeverityColumnName).
    severity: 'High'
    query: loadTextContent('sentinel/tokenTheft.kql')
    customDetails: {
      AlertId: 'AlertId'
      Vector: 'Vector'
      Target: 'Target'
      ProcessPath: 'ProcessPath'
      HostId: 'HostId'
    }
    entityMappings: [
      {
        entityType: 'Host'
        fieldMappings: [
          {
            identifier: 'HostName'
            columnName: 'HostName'
          }
        ]
      }
      {
        entityType: 'Account'
        fieldMappings: [
          {
            identifier: 'Name'
            columnName: 'AccountName'
          }
        ]
      }
      {
        entityType: 'Process'
        fieldMappings: [
          {
            identifier: 'CommandLine'
            columnName: 'ProcessCommandLine'
          }
        ]
      }
    ]
    incidentConfiguration: {
      createIncident: true
      groupingConfiguration: {
        enabled: true
        reopenClosedIncident: false
        lookbackDuration: 'PT24H'
        matchingMethod: 'Selected'
        groupByEntities: [
          'Host'
        ]
        groupByAlertDetails: []
        groupByCustomDetails: []
      }
    }
  })
}

// Stolen and used: one incident per machine holding the join and the two alerts it joins. The
// query looks back 73 hours for the halves (theftAndUse.kql says why), so its period is longer
// than the other rules'.
resource theftAndUseRule 'Microsoft.SecurityInsights/alertRules@2025-06-01' = {
  scope: workspace
  name: guid(workspace.id, 'tokenwatch', 'theft-and-use')
  kind: 'Scheduled'
  properties: union(schedule, {
    displayName: 'TokenWatch - managed identity token stolen on a host and used elsewhere'
    description: 'A process on a host reached for a managed identity token (token theft) and the managed identity of that machine used a token remotely within 24 hours. Raised with both underlying alerts in one incident.'
    enabled: rulesEnabled
    severity: 'High'
    queryPeriod: 'PT73H'
    query: loadTextContent('sentinel/theftAndUse.kql')
    customDetails: {
      AlertId: 'AlertId'
      Detector: 'Detector'
      TokenId: 'TokenId'
      ProcessPath: 'ProcessPath'
    }
    entityMappings: [
      {
        entityType: 'Host'
        fieldMappings: [
          {
            identifier: 'HostName'
            columnName: 'HostName'
          }
        ]
      }
      {
        entityType: 'AzureResource'
        fieldMappings: [
          {
            identifier: 'ResourceId'
            columnName: 'MachineResourceId'
          }
        ]
      }
      {
        entityType: 'Account'
        fieldMappings: [
          {
            identifier: 'AadUserId'
            columnName: 'IdentityObjectId'
          }
          {
            identifier: 'Name'
            columnName: 'IdentityName'
          }
        ]
      }
      {
        entityType: 'IP'
        fieldMappings: [
          {
            identifier: 'Address'
            columnName: 'IPAddress'
          }
        ]
      }
    ]
    incidentConfiguration: {
      createIncident: true
      groupingConfiguration: {
        enabled: true
        reopenClosedIncident: false
        lookbackDuration: 'PT24H'
        matchingMethod: 'Selected'
        groupByEntities: [
          'AzureResource'
        ]
        groupByAlertDetails: []
        groupByCustomDetails: []
      }
    }
  })
}

resource workbook 'Microsoft.Insights/workbooks@2022-04-01' = {
  name: guid(workspace.id, 'tokenwatch', 'workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'TokenWatch'
    category: 'sentinel'
    sourceId: workspace.id
    version: 'Notebook/1.0'
    // The workbook JSON names its data sources with placeholders, filled in here: the Sentinel workspace,
    // and for the pipeline-health tiles the workspace of the app's Application Insights traces.
    serializedData: replace(
      replace(loadTextContent('sentinel/workbook.json'), '__WORKSPACE_RESOURCE_ID__', workspace.id),
      '__APP_INSIGHTS_WORKSPACE_RESOURCE_ID__',
      empty(appInsightsWorkspaceResourceId) ? workspace.id : appInsightsWorkspaceResourceId
    )
  }
}

@description('The resource ID of the remote token use analytics rule.')
output remoteTokenUseRuleId string = remoteTokenUseRule.id

@description('The resource ID of the token theft analytics rule.')
output tokenTheftRuleId string = tokenTheftRule.id

@description('The resource ID of the stolen-and-used analytics rule.')
output theftAndUseRuleId string = theftAndUseRule.id

@description('The resource ID of the workbook.')
output workbookResourceId string = workbook.id
