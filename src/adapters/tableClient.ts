import { TableClient, TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** Counts HTTP requests the Table client sends: every one is a billed storage transaction. */
export class RequestCounter {
  requests = 0;
  readonly policy: PipelinePolicy = {
    name: 'tokenwatchRequestCounter',
    sendRequest: (request, next) => {
      this.requests++;
      return next(request);
    },
  };
}

/**
 * One place that decides how to reach Table Storage: a connection string (Azurite, local
 * development) or an `https://<account>.table.core.windows.net` endpoint with a token credential
 * (production: the storage account has shared-key access disabled).
 */
export function createTableClient(
  target: { readonly connectionString: string } | { readonly endpoint: string; readonly credential: TokenCredential },
  tableName: string,
  counter?: RequestCounter,
): TableClient {
  const options: TableServiceClientOptions = {
    ...(counter ? { additionalPolicies: [{ policy: counter.policy, position: 'perCall' as const }] } : {}),
  };
  if ('connectionString' in target) {
    const local = /UseDevelopmentStorage=true|127\.0\.0\.1|localhost/i.test(target.connectionString);
    return TableClient.fromConnectionString(target.connectionString, tableName, { ...options, allowInsecureConnection: local });
  }
  return new TableClient(target.endpoint, tableName, target.credential, options);
}

/** Creates the table if missing (idempotent). Used by replays and tests; production tables come from Bicep. */
export async function ensureTable(connectionString: string, tableName: string): Promise<void> {
  const local = /UseDevelopmentStorage=true|127\.0\.0\.1|localhost/i.test(connectionString);
  await TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: local }).createTable(tableName);
}
