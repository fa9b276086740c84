// Parameters for infra/main.bicep. azd fills AZURE_ENV_NAME and AZURE_LOCATION; the TOKENWATCH_*
// variables are optional switches (`azd env set TOKENWATCH_SWEEP_ENABLED true`).
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'tokenwatch')
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
param sweepEnabled = bool(readEnvironmentVariable('TOKENWATCH_SWEEP_ENABLED', 'false'))
param sweepSchedule = readEnvironmentVariable('TOKENWATCH_SWEEP_SCHEDULE', '0 */5 * * * *')
param analyticsRulesEnabled = bool(readEnvironmentVariable('TOKENWATCH_RULES_ENABLED', 'true'))
param eventHubPartitionCount = int(readEnvironmentVariable('TOKENWATCH_EVENTHUB_PARTITIONS', '4'))
param retentionInDays = int(readEnvironmentVariable('TOKENWATCH_RETENTION_DAYS', '90'))
param serviceTagsFile = readEnvironmentVariable('TOKENWATCH_SERVICE_TAGS_FILE', '')
param serviceTagsRefreshEnabled = bool(readEnvironmentVariable('TOKENWATCH_SERVICE_TAGS_REFRESH', 'true'))
param allowlistFile = readEnvironmentVariable('TOKENWATCH_ALLOWLIST_FILE', '')
param theftAllowlistFile = readEnvironmentVariable('TOKENWATCH_THEFT_ALLOWLIST_FILE', '')
