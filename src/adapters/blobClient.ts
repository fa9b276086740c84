import type { TokenCredential } from '@azure/core-auth';
import type { ContainerClient } from '@azure/storage-blob';
import { isLocalEmulator } from './tableClient';

/**
 * One place that decides how to reach Blob Storage, like createTableClient for tables: a
 * connection string (Azurite, local development) or an `https://<account>.blob.core.windows.net`
 * endpoint with a token credential (production: shared-key access is disabled on the account).
 */
export type BlobTarget = { readonly connectionString: string } | { readonly endpoint: string; readonly credential: TokenCredential };

/**
 * Blob calls are few (one small conditional GET per worker and hour, one upload a day), so a short
 * retry budget: a store outage should cost a batch seconds, not minutes; the caller keeps its copy.
 */
const RETRY_OPTIONS = { maxTries: 3, tryTimeoutInMs: 30_000, retryDelayInMs: 500, maxRetryDelayInMs: 5_000 };

export function createContainerClient(target: BlobTarget, containerName: string): ContainerClient {
  // Loaded on first use, not at import: the functions entry is imported before the host starts its
  // triggers, and only the service-tags code needs this SDK (see managedIdentityCredential).
  const blob: typeof import('@azure/storage-blob') = require('@azure/storage-blob');
  if ('connectionString' in target) return new blob.ContainerClient(target.connectionString, containerName, { retryOptions: RETRY_OPTIONS });
  return new blob.ContainerClient(`${target.endpoint.replace(/\/+$/, '')}/${containerName}`, target.credential, { retryOptions: RETRY_OPTIONS });
}

/** Creates the container if missing (idempotent). Used by tests and local runs; production containers come from Bicep. */
export async function ensureContainer(connectionString: string, containerName: string): Promise<void> {
  await createContainerClient({ connectionString }, containerName).createIfNotExists();
}

/** Whether a connection string names a local emulator's blob service (see isLocalEmulator). */
export function isLocalBlobEmulator(connectionString: string): boolean {
  return isLocalEmulator(connectionString, 'blob');
}
