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
import { UsageError } from './cliErrors';
import { withoutSecrets } from './commandLine';

export type TableTarget = { readonly connectionString: string } | { readonly endpoint: string; readonly credential: TokenCredential };

const STORE_FORMS = 'an https table endpoint (https://<account>.table.core.windows.net) or a connection string';

/**
 * `--store` checked before anything starts, so a wrong value is a usage error that says what the
 * flag takes rather than a failure inside the Table client: `memory` and `azurite` where the
 * command accepts them, an https endpoint, or a connection string with an account and its key
 * or SAS (or `UseDevelopmentStorage=true`). Plain http is only for an emulator, and an emulator
 * is reached with its connection string (the endpoint alone carries no key).
 */
export function checkStoreFlag(store: string, accepts: { readonly memory: boolean; readonly azurite: boolean }): string {
  const named = [...(accepts.memory ? ['memory'] : []), ...(accepts.azurite ? ['azurite'] : [])];
  const forms = `--store takes ${[...named, STORE_FORMS].join(', ')}`;
  if (store === 'memory' || store === 'azurite') {
    if (named.includes(store)) return store;
    throw new UsageError(`${forms}; "${store}" is not possible here`);
  }
  if (/^https:\/\//i.test(store)) {
    if (URL.canParse(store)) return store;
    throw new UsageError(`${forms}; "${withoutSecrets(store)}" is not a URL`);
  }
  if (/^http:\/\//i.test(store)) {
    throw new UsageError(
      `--store ${store}: plain http is for an emulator, which needs its connection string (DefaultEndpointsProtocol=http;AccountName=…;AccountKey=…;TableEndpoint=${store});` +
        `${accepts.azurite ? ' --store azurite starts one' : ''}`,
    );
  }
  const settings = connectionStringSettings(store);
  const has = (name: string): boolean => (settings.get(name) ?? '') !== '';
  if (settings.get('usedevelopmentstorage')?.toLowerCase() === 'true' || (has('accountname') && has('accountkey')) || (has('sharedaccesssignature') && has('tableendpoint'))) {
    // The Table client has its own rules for what a connection string must hold (a protocol and an
    // endpoint suffix, or an endpoint): asked here, so its refusal is a usage error too.
    try {
      createTableClient({ connectionString: store }, 'probe');
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
      throw new UsageError(`--store ${describeStore(store)}: the Table client cannot use it (${reason}); give it as the portal shows it (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net), or with a TableEndpoint`);
    }
    return store;
  }
  throw new UsageError(`${forms}, not "${settings.size > 0 ? describeStore(store) : withoutSecrets(store)}"`);
}

/** Table Storage's rule for a table name: 3 to 63 letters and digits, a letter first. */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/** `--table` checked before anything starts (the service would answer a bad name with a raw 400 body). */
export function checkTableFlag(table: string | undefined): string {
  if (table === undefined) return 'TokenWatchState';
  if (TABLE_NAME.test(table)) return table;
  throw new UsageError(`--table must be a table name (3 to 63 letters and digits, a letter first), not "${table.length > 80 ? `${table.slice(0, 80)}…` : table}"`);
}

/** The store as it may be printed: a connection string by its account and endpoint, never its key. */
export function describeStore(store: string): string {
  if (store === 'memory' || store === 'azurite' || /^https?:\/\//i.test(store)) return withoutSecrets(store);
  const settings = connectionStringSettings(store);
  const account = settings.get('accountname');
  const endpoint = settings.get('tableendpoint');
  if (account === undefined && endpoint === undefined) return settings.size > 0 ? 'a connection string' : store;
  return `connection string${account ? ` of account ${account}` : ''}${endpoint ? ` at ${endpoint}` : ''}`;
}

/** A connection string's `Name=value` parts by lower-case name (values are not all keys, but none is printed whole). */
function connectionStringSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) settings.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return settings;
}

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
