/**
 * What a command's `--store` names, as a Table Storage target: an https table endpoint reached
 * with the signed-in Azure identity, a connection string (Azurite, or a key where the account
 * allows one), or `azurite`, started from node_modules for the command's run. And the remote-use
 * state table opened for a command that only reads it (`tokenwatch baseline`).
 */
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { startAzurite } from '../adapters/azurite';
import { createTableClient } from '../adapters/tableClient';
import { TableStateStore } from '../adapters/tableStateStore';

export type TableTarget = { readonly connectionString: string } | { readonly endpoint: string; readonly credential: TokenCredential };

/** An https endpoint or a connection string (not `memory`, not `azurite`). */
export function tableTargetOf(store: string): TableTarget {
  return /^https:\/\//i.test(store) ? { endpoint: store, credential: new DefaultAzureCredential() } : { connectionString: store };
}

/** Like tableTargetOf, and `azurite` starts an in-memory Azurite that `stop` ends. */
export async function openTableTarget(store: string): Promise<{ readonly target: TableTarget; stop(): Promise<void> }> {
  if (store !== 'azurite') return { target: tableTargetOf(store), stop: async () => undefined };
  const azurite = await startAzurite();
  return { target: { connectionString: azurite.connectionString }, stop: () => azurite.stop() };
}

export function openStateTable(store: string, table: string): TableStateStore {
  return new TableStateStore(createTableClient(tableTargetOf(store), table), { cachePartitions: 16 });
}
