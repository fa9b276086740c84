import { TableClient, TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { requestTimeoutPolicy } from './requestTimeout';

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
  /** Per-request timeout (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number,
): TableClient {
  const options: TableServiceClientOptions = {
    additionalPolicies: [
      ...(counter ? [{ policy: counter.policy, position: 'perCall' as const }] : []),
      { policy: requestTimeoutPolicy(requestTimeoutMs), position: 'perRetry' as const },
    ],
  };
  if ('connectionString' in target) {
    return TableClient.fromConnectionString(target.connectionString, tableName, { ...options, allowInsecureConnection: isLocalEmulator(target.connectionString) });
  }
  return new TableClient(target.endpoint, tableName, target.credential, options);
}

/**
 * Creates the table if missing (idempotent). Used by replays and tests; production tables come from
 * Bicep. With the same request timeout as every other call: a store that accepts the connection and
 * never answers must not hold a replay forever. The first attempt is made once, without the SDK's
 * retries: when nothing listens at the endpoint or its name does not resolve (a mistyped --store,
 * Azurite not started), the replay says so at once instead of after half a minute of retries; any
 * other failure is asked again with them.
 */
export async function ensureTable(connectionString: string, tableName: string, requestTimeoutMs?: number): Promise<void> {
  const service = (maxRetries?: number): TableServiceClient =>
    TableServiceClient.fromConnectionString(connectionString, {
      allowInsecureConnection: isLocalEmulator(connectionString),
      additionalPolicies: [{ policy: requestTimeoutPolicy(requestTimeoutMs), position: 'perRetry' }],
      ...(maxRetries !== undefined ? { retryOptions: { maxRetries } } : {}),
    });
  try {
    await service(0).createTable(tableName);
  } catch (error) {
    if (isUnreachable(error)) throw error;
    await service().createTable(tableName);
  }
}

/** Connection errors that retrying does not mend: nothing listens at the address, or the name does not resolve. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  }
  return false;
}

/**
 * Whether a connection string names a local emulator, the only target plain HTTP is allowed to:
 * `UseDevelopmentStorage=true`, or the service's endpoint (`TableEndpoint`, `BlobEndpoint`) on a
 * loopback host. Decided on the endpoint itself, not on the text: an account, key or remote host
 * that merely contains "localhost" or "127.0.0.1" does not open plain HTTP.
 */
export function isLocalEmulator(connectionString: string, service: 'table' | 'blob' = 'table'): boolean {
  const endpointName = `${service}endpoint`;
  let endpoint: string | undefined;
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim().toLowerCase();
    const value = part.slice(at + 1).trim();
    if (name === 'usedevelopmentstorage' && value.toLowerCase() === 'true') return true;
    if (name === endpointName) endpoint = value;
  }
  return endpoint !== undefined && isLoopbackUrl(endpoint);
}

/** Whether a URL's host is the loopback interface (`127.0.0.1`, `localhost`, `[::1]`). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}
