// Parameters for infra/main.bicep. azd fills AZURE_ENV_NAME and AZURE_LOCATION; the TOKENWATCH_*
// variables are optional switches (`azd env set TOKENWATCH_SWEEP_ENABLED true`), listed in docs/deploy.md.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'tokenwatch')
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
param sweepEnabled = bool(readEnvironmentVariable('TOKENWATCH_SWEEP_ENABLED', 'false'))
param sweepSchedule = readEnvironmentVariable('TOKENWATCH_SWEEP_SCHEDULE', '0 */5 * * * *')
param remoteUseSweepEnabled = bool(readEnvironmentVariable('TOKENWATCH_REMOTE_USE_SWEEP_ENABLED', 'false'))
param remoteUseSweepSchedule = readEnvironmentVariable('TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE', '0 */5 * * * *')
param backfillDays = int(readEnvironmentVariable('TOKENWATCH_BACKFILL_DAYS', '0'))
param analyticsRulesEnabled = bool(readEnvironmentVariable('TOKENWATCH_RULES_ENABLED', 'true'))
param eventHubPartitionCount = int(readEnvironmentVariable('TOKENWATCH_EVENTHUB_PARTITIONS', '4'))
param eventHubThroughputUnits = int(readEnvironmentVariable('TOKENWATCH_EVENTHUB_THROUGHPUT_UNITS', '1'))
param retentionInDays = int(readEnvironmentVariable('TOKENWATCH_RETENTION_DAYS', '90'))
param serviceTagsFile = readEnvironmentVariable('TOKENWATCH_SERVICE_TAGS_FILE', '')
param serviceTagsRefreshEnabled = bool(readEnvironmentVariable('TOKENWATCH_SERVICE_TAGS_REFRESH', 'true'))
param allowlistFile = readEnvironmentVariable('TOKENWATCH_ALLOWLIST_FILE', '')
param theftAllowlistFile = readEnvironmentVariable('TOKENWATCH_THEFT_ALLOWLIST_FILE', '')
// Inline allowlists (JSON on one line: `azd env set TOKENWATCH_ALLOWLIST "$(jq -c . allowlist.json)"`).
param allowlistJson = readEnvironmentVariable('TOKENWATCH_ALLOWLIST', '')
param theftAllowlistJson = readEnvironmentVariable('TOKENWATCH_THEFT_ALLOWLIST', '')
// Detector tuning and the worker's memory (docs/operations.md); the app settings are the deployment's.
param usualExternal = readEnvironmentVariable('TOKENWATCH_USUAL_EXTERNAL', 'alert')
param dedupDays = int(readEnvironmentVariable('TOKENWATCH_DEDUP_DAYS', '5'))
param rejectsRetentionDays = int(readEnvironmentVariable('TOKENWATCH_REJECTS_RETENTION_DAYS', '30'))
param tokenRetentionDays = int(readEnvironmentVariable('TOKENWATCH_TOKEN_RETENTION_DAYS', '8'))
param ledgerRetentionDays = int(readEnvironmentVariable('TOKENWATCH_LEDGER_RETENTION_DAYS', '30'))
param cacheIdentities = int(readEnvironmentVariable('TOKENWATCH_CACHE_IDENTITIES', '20000'))
param cacheRows = int(readEnvironmentVariable('TOKENWATCH_CACHE_ROWS', '250000'))
param tokenBucketShards = int(readEnvironmentVariable('TOKENWATCH_TOKEN_BUCKET_SHARDS', '1'))
param nodeHeapMb = int(readEnvironmentVariable('TOKENWATCH_NODE_HEAP_MB', '384'))
param nodeSemiSpaceMb = int(readEnvironmentVariable('TOKENWATCH_NODE_SEMI_SPACE_MB', '32'))
param serviceTagsSchedule = readEnvironmentVariable('TOKENWATCH_SERVICE_TAGS_SCHEDULE', '0 17 3 * * *')
// Existing Microsoft Sentinel: the workspace's resource ID. Empty: a new workspace with Sentinel.
param existingWorkspaceResourceId = readEnvironmentVariable('TOKENWATCH_EXISTING_WORKSPACE_ID', '')
param appInsightsWorkspaceResourceId = readEnvironmentVariable('TOKENWATCH_APP_INSIGHTS_WORKSPACE_ID', '')
// Data-plane diagnostic settings: comma-separated resource IDs (empty entries are ignored by main.bicep).
param dataPlaneKeyVaultResourceIds = split(readEnvironmentVariable('TOKENWATCH_DATA_PLANE_KEY_VAULT_IDS', ''), ',')
param dataPlaneStorageAccountResourceIds = split(readEnvironmentVariable('TOKENWATCH_DATA_PLANE_STORAGE_ACCOUNT_IDS', ''), ',')
param dataPlaneStorageWriteDeleteLogs = bool(readEnvironmentVariable('TOKENWATCH_DATA_PLANE_STORAGE_WRITE_DELETE', 'false'))
// Private network option (docs/deploy.md, "Private network"): the two subnets are required with it;
// an empty DNS zone entry makes the deployment create that zone.
param privateNetworkEnabled = bool(readEnvironmentVariable('TOKENWATCH_PRIVATE_NETWORK', 'false'))
param appSubnetResourceId = readEnvironmentVariable('TOKENWATCH_APP_SUBNET_ID', '')
param privateEndpointSubnetResourceId = readEnvironmentVariable('TOKENWATCH_PRIVATE_ENDPOINT_SUBNET_ID', '')
param privateDnsZoneBlobResourceId = readEnvironmentVariable('TOKENWATCH_PRIVATE_DNS_ZONE_BLOB_ID', '')
param privateDnsZoneQueueResourceId = readEnvironmentVariable('TOKENWATCH_PRIVATE_DNS_ZONE_QUEUE_ID', '')
param privateDnsZoneTableResourceId = readEnvironmentVariable('TOKENWATCH_PRIVATE_DNS_ZONE_TABLE_ID', '')
param privateDnsZoneEventHubsResourceId = readEnvironmentVariable('TOKENWATCH_PRIVATE_DNS_ZONE_EVENTHUBS_ID', '')
param functionAppPublicNetworkAccess = readEnvironmentVariable('TOKENWATCH_FUNCTION_APP_PUBLIC_ACCESS', 'Enabled')
// Disabled only with an Azure Monitor Private Link Scope of your own (docs/deploy.md, "Private network").
param monitorPublicNetworkAccessForIngestion = readEnvironmentVariable('TOKENWATCH_MONITOR_PUBLIC_INGESTION', 'Enabled')
param monitorPublicNetworkAccessForQuery = readEnvironmentVariable('TOKENWATCH_MONITOR_PUBLIC_QUERY', 'Enabled')
