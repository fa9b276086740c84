// The TokenWatch function app on Flex Consumption (FC1, Node 22), running as the user-assigned
// managed identity. Every connection is identity-based: no account key, SAS or connection string
// is stored in an app setting. The one "connection string" here is Application Insights' ingestion
// string, which holds no secret; with local auth disabled on the component, telemetry is accepted
// only with the Entra token named by APPLICATIONINSIGHTS_AUTHENTICATION_STRING.
//
// Two user-assigned identities are attached: the app's (every connection, AZURE_CLIENT_ID) and the
// deployment identity, which functionAppConfig.deployment.storage alone uses to write and read the
// package (roleAssignments.bicep). "When you use a user-assigned managed identity, the provided
// identity gets linked to the function app" (flex-consumption-how-to, "Configure deployment settings"):
// any identity attached to the app will do, it need not be the one the code runs as.
//
// VNet integration (main.bicep privateNetworkEnabled): on Flex Consumption it is the site property
// virtualNetworkSubnetId (Microsoft.Web/sites 2023-12-01 and later), with the subnet delegated to
// Microsoft.App/environments, not the networkConfig child resource of the other plans
// (Azure-Samples/azure-functions-flex-consumption-samples, E2E/HTTP-VNET-EH/infra/core/host/
// functions-flexconsumption.bicep and core/networking/vnet.bicep; flex-consumption-plan,
// "Considerations").

@description('Required. Name of the function app.')
param name string

@description('Required. Name of the Flex Consumption plan.')
param planName string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the plan and the app. The app also gets azd-service-name so that azd deploy finds it.')
param tags object = {}

@description('Required. Resource ID of the user-assigned managed identity the app runs as.')
param identityResourceId string

@description('Required. Client ID of the user-assigned managed identity.')
param identityClientId string

@description('Required. Resource ID of the user-assigned identity that writes and reads the deployment package (functionAppConfig.deployment.storage). Not used by the code.')
param deploymentIdentityResourceId string

@description('Optional. Resource ID of the subnet (delegated to Microsoft.App/environments) the app integrates with, so that it reaches storage and Event Hubs through their private endpoints. Empty: no VNet integration.')
param virtualNetworkSubnetId string = ''

@description('Required. Name of the storage account for the host, the deployment package and the tables.')
param storageAccountName string

@description('Required. URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('Required. Table endpoint without a trailing slash (https://<account>.table.core.windows.net).')
param tableEndpoint string

@description('Required. Name of the state table.')
param stateTableName string

@description('Required. Name of the rejects (dead-letter) table.')
param rejectsTableName string

@description('Required. Fully qualified Event Hubs namespace (<name>.servicebus.windows.net).')
param eventHubsFullyQualifiedNamespace string

@description('Required. Name of the audit hub.')
param auditHubName string

@description('Required. Consumer group of remoteTokenUse on the audit hub.')
param auditConsumerGroupName string

@description('Required. Name of the endpoint telemetry hub.')
param endpointHubName string

@description('Required. Consumer group of tokenTheft on the endpoint hub.')
param endpointConsumerGroupName string

@description('Required. Logs Ingestion endpoint of the alert data collection rule.')
param dcrLogsIngestionEndpoint string

@description('Required. Immutable ID of the alert data collection rule.')
param dcrImmutableId string

@description('Required. Input stream of the alert data collection rule.')
param dcrStreamName string

@description('Required. Log Analytics workspace (customer) ID, for the queries of the theft sweep, the remote-use sweep and the backfill.')
param workspaceCustomerId string

@description('Required. Name of the Application Insights component (local auth disabled).')
param appInsightsName string

@description('Optional. Run the tokenTheftSweep timer function (queries Log Analytics for endpoint telemetry).')
param sweepEnabled bool = false

@description('Optional. NCRONTAB schedule of the theft sweep (six fields, seconds first).')
param sweepSchedule string = '0 */5 * * * *'

@description('Optional. Run the remoteTokenUseSweep timer function (queries the workspace for remote use of managed identity tokens).')
param remoteUseSweepEnabled bool = false

@description('Optional. NCRONTAB schedule of the remote-use sweep (six fields, seconds first).')
param remoteUseSweepSchedule string = '0 */5 * * * *'

@description('Optional. Days of workspace history the backfill reads (TOKENWATCH_BACKFILL_DAYS). 0: no backfill.')
@minValue(0)
@maxValue(30)
param backfillDays int = 0

@description('Optional. Path, inside the deployed package, of a ServiceTags_Public JSON file. Empty: not set.')
param serviceTagsFile string = ''

@description('Required. Blob endpoint of the storage account (https://<account>.blob.core.windows.net/), where the service tags are stored.')
param blobEndpoint string

@description('Required. Blob container of the stored service tags.')
param serviceTagsContainerName string

@description('Optional. Run the serviceTagsRefresh timer (needs the reader role from serviceTagsReader.bicep on this subscription).')
param serviceTagsRefreshEnabled bool = true

@description('Optional. Location the Service Tag Discovery API is asked in; it returns every region\'s tags whatever location is asked, so the app\'s own region. Empty: the region of the app.')
param serviceTagsLocation string = ''

@description('Optional. NCRONTAB schedule of the service tags refresh (six fields, seconds first).')
param serviceTagsSchedule string = '0 17 3 * * *'

@description('Optional. Path, inside the deployed package, of the remote-use allowlist JSON. Empty: not set.')
param allowlistFile string = ''

@description('Optional. Path, inside the deployed package, of the theft allowlist JSON. Empty: not set.')
param theftAllowlistFile string = ''

@description('Optional. Remote-use allowlist as inline JSON (TOKENWATCH_ALLOWLIST; docs/operations.md). Empty: not set. Set this or allowlistFile, not both.')
param allowlistJson string = ''

@description('Optional. Theft allowlist overrides as inline JSON (TOKENWATCH_THEFT_ALLOWLIST; docs/theft.md). Empty: not set. Set this or theftAllowlistFile, not both.')
param theftAllowlistJson string = ''

@description('Optional. Days a dead letter is kept in the rejects table (TOKENWATCH_REJECTS_RETENTION_DAYS); the rejectsRetention timer deletes older ones.')
@minValue(1)
@maxValue(365)
param rejectsRetentionDays int = 30

@description('Optional. Days token buckets and first uses are kept in the state table (TOKENWATCH_TOKEN_RETENTION_DAYS): at least the Event Hubs retention in days plus the day a token lives; the stateRetention timer deletes older ones.')
@minValue(2)
@maxValue(365)
param tokenRetentionDays int = 8

@description('Optional. Days the suppression ledger is kept in the state table (TOKENWATCH_LEDGER_RETENTION_DAYS, at least dedupDays); the stateRetention timer deletes older hours.')
@minValue(1)
@maxValue(365)
param ledgerRetentionDays int = 30

@description('Optional. Identities whose state stays cached per worker (LRU size).')
@minValue(100)
@maxValue(1000000)
param cacheIdentities int = 20000

@description('Optional. State rows cached per worker and store (LRU by rows, ~360 bytes each): keeps large partitions (a tenant catalog holds one row per identity) from outgrowing the heap.')
@minValue(10000)
@maxValue(5000000)
param cacheRows int = 250000

@description('Optional. Token bucket and suppression ledger partitions per tenant and hour; raise above 1 only when the tenant registers more than ~1,500 managed identity sign-ins (or suppressed alerts) per second (docs/performance.md).')
@minValue(1)
@maxValue(64)
param tokenBucketShards int = 1

@description('Optional. Days during which the same alert is not raised again.')
@minValue(1)
@maxValue(90)
param dedupDays int = 5

@description('Optional. What a usual external use (IP and ASN in the identity\'s 30-day baseline) becomes (TOKENWATCH_USUAL_EXTERNAL): alert, a Low alert every dedupDays; exposure, one daily exposure row per identity that raises no incident (docs/operations.md).')
@allowed([
  'alert'
  'exposure'
])
param usualExternal string = 'alert'

@description('Optional. Upper bound on instances. Event Hub functions use at most one instance per partition.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Optional. Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. Ceiling of the Node.js heap in MB (NODE_OPTIONS --max-old-space-size). 384 keeps a worker under 512 MB resident with the default state cache (docs/performance.md); without it V8 grows the heap lazily towards the instance memory.')
@minValue(256)
param nodeHeapMb int = 384

@description('Optional. Largest size in MB of each of the two semi-spaces of the V8 young generation (NODE_OPTIONS --max-semi-space-size). An invocation keeps its ~2,000 parsed events alive while it decodes the rest, and every scavenge copies them: 1.7-2.8 us per record in the benchmark at the 16 MB default, 0.4-0.5 once V8 grew the semi-spaces to 32 under sustained load (docs/performance.md).')
@minValue(16)
@maxValue(128)
param nodeSemiSpaceMb int = 32

@description('Optional. Public network access to the app and its SCM (deployment) endpoint. The app has no HTTP triggers; Disabled also blocks azd deploy unless it runs from a network with a private endpoint.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'tokenwatch' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
      '${deploymentIdentityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: publicNetworkAccess
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          // The deployment identity, not the app's: the app's identity holds no role on the package.
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: deploymentIdentityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// No publishing user names and passwords: deployments authenticate with Microsoft Entra ID.
resource ftpPublishingCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishingCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Settings that are absent unless their parameter is set. The deployment owns every app setting:
// the appsettings resource below replaces the whole list, so a setting added in the portal is gone
// after the next deployment, and an operator's choices belong in these parameters.
var optionalSettings = union(
  empty(serviceTagsFile) ? {} : { TOKENWATCH_SERVICE_TAGS_FILE: serviceTagsFile },
  // The subscription id switches the refresh timer on; set only where the identity holds the reader role.
  serviceTagsRefreshEnabled ? { TOKENWATCH_SUBSCRIPTION_ID: subscription().subscriptionId } : {},
  empty(allowlistFile) ? {} : { TOKENWATCH_ALLOWLIST_FILE: allowlistFile },
  empty(theftAllowlistFile) ? {} : { TOKENWATCH_THEFT_ALLOWLIST_FILE: theftAllowlistFile },
  empty(allowlistJson) ? {} : { TOKENWATCH_ALLOWLIST: allowlistJson },
  empty(theftAllowlistJson) ? {} : { TOKENWATCH_THEFT_ALLOWLIST: theftAllowlistJson }
)

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(
    {
      // Functions host storage (leases, Event Hubs checkpoints, timer locks), identity-based.
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table

      // Event Hub triggers (connection prefix TOKENWATCH_EVENTHUB), identity-based.
      TOKENWATCH_EVENTHUB__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
      TOKENWATCH_EVENTHUB__credential: 'managedidentity'
      TOKENWATCH_EVENTHUB__clientId: identityClientId
      TOKENWATCH_AUDIT_HUB: auditHubName
      TOKENWATCH_AUDIT_CONSUMER_GROUP: auditConsumerGroupName
      TOKENWATCH_ENDPOINT_HUB: endpointHubName
      TOKENWATCH_ENDPOINT_CONSUMER_GROUP: endpointConsumerGroupName

      // The SDK credential (tables, Logs Ingestion, Log Analytics queries) picks the same identity.
      AZURE_CLIENT_ID: identityClientId

      TOKENWATCH_TABLE_ENDPOINT: tableEndpoint
      TOKENWATCH_STATE_TABLE: stateTableName
      TOKENWATCH_REJECTS_TABLE: rejectsTableName
      // Days a dead letter is kept: the app's rejectsRetention timer deletes older ones (docs/operations.md).
      TOKENWATCH_REJECTS_RETENTION_DAYS: string(rejectsRetentionDays)
      // Days the detector's write-once partitions are kept: the app's stateRetention timer deletes older ones (docs/operations.md).
      TOKENWATCH_TOKEN_RETENTION_DAYS: string(tokenRetentionDays)
      TOKENWATCH_LEDGER_RETENTION_DAYS: string(ledgerRetentionDays)

      TOKENWATCH_DCR_ENDPOINT: dcrLogsIngestionEndpoint
      TOKENWATCH_DCR_IMMUTABLE_ID: dcrImmutableId
      TOKENWATCH_DCR_STREAM: dcrStreamName

      TOKENWATCH_WORKSPACE_ID: workspaceCustomerId
      TOKENWATCH_SWEEP_ENABLED: sweepEnabled ? 'true' : 'false'
      TOKENWATCH_SWEEP_SCHEDULE: sweepSchedule
      TOKENWATCH_REMOTE_USE_SWEEP_ENABLED: remoteUseSweepEnabled ? 'true' : 'false'
      TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE: remoteUseSweepSchedule
      TOKENWATCH_BACKFILL_DAYS: string(backfillDays)
      TOKENWATCH_CACHE_IDENTITIES: string(cacheIdentities)
      TOKENWATCH_CACHE_ROWS: string(cacheRows)
      TOKENWATCH_DEDUP_DAYS: string(dedupDays)
      TOKENWATCH_TOKEN_BUCKET_SHARDS: string(tokenBucketShards)
      TOKENWATCH_USUAL_EXTERNAL: usualExternal
      // Key Vault's AuditEvent names no tenant: its uses are judged in the tenant deployed into.
      TOKENWATCH_HOME_TENANT_ID: tenant().tenantId

      // Azure service tags: the stored copy (read by every worker, written by the refresh timer).
      TOKENWATCH_BLOB_ENDPOINT: blobEndpoint
      TOKENWATCH_SERVICE_TAGS_CONTAINER: serviceTagsContainerName
      TOKENWATCH_SERVICE_TAGS_LOCATION: empty(serviceTagsLocation) ? location : serviceTagsLocation
      TOKENWATCH_SERVICE_TAGS_SCHEDULE: serviceTagsSchedule

      // Bounded memory per worker: the live heap stays far below this ceiling. A young generation
      // that holds an invocation's events without copying them again and again.
      NODE_OPTIONS: '--max-old-space-size=${nodeHeapMb} --max-semi-space-size=${nodeSemiSpaceMb}'

      // Ingestion connection string (no secret) + Entra authentication of the telemetry itself.
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    },
    optionalSettings
  )
}

@description('The name of the function app.')
output name string = site.name

@description('The resource ID of the function app.')
output resourceId string = site.id

@description('The default host name of the function app.')
output defaultHostName string = site.properties.defaultHostName
