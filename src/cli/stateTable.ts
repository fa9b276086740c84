/**
 * Opens the remote-use state table for a command that only reads it (`tokenwatch baseline`): a
 * connection string (Azurite, or a key where the account allows one) or an https table endpoint
 * reached with the signed-in Azure identity.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { createTableClient } from '../adapters/tableClient';
import { TableStateStore } from '../adapters/tableStateStore';

export function openStateTable(store: string, table: string): TableStateStore {
  const target = /^https:\/\//i.test(store) ? { endpoint: store, credential: new DefaultAzureCredential() } : { connectionString: store };
  return new TableStateStore(createTableClient(target, table), { cachePartitions: 16 });
}
