import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appCredential } from '../../functions/dependencies';
import { ConfigError, loadConfig } from '../../src/config';
import { COLD_IMPORT_ENV } from '../../src/bench/coldImport';

/**
 * Which credential the app's SDK clients get for which settings. In Azure the Functions host gives
 * the worker IDENTITY_ENDPOINT and IDENTITY_HEADER; a local HTTP server plays that endpoint, so the
 * tests see the token request the credential really makes (and for which identity).
 */

const APP_IDENTITY = '00000000-0000-4000-8000-0000000000aa';
const IDENTITY_HEADER = 'contoso-identity-header';

interface TokenRequest {
  readonly clientId: string | null;
  readonly resource: string | null;
  readonly header: string | undefined;
}

let server: Server;
let endpoint: string;
const requests: TokenRequest[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ clientId: url.searchParams.get('client_id'), resource: url.searchParams.get('resource'), header: request.headers['x-identity-header'] as string | undefined });
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({
      access_token: 'not-a-real-token',
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource: url.searchParams.get('resource'),
      token_type: 'Bearer',
      client_id: url.searchParams.get('client_id') ?? APP_IDENTITY,
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  requests.length = 0;
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

/** The settings as the function app has them in Azure, plus the host's identity endpoint variables. */
function inAzure(extra: Record<string, string> = {}): ReturnType<typeof loadConfig> {
  Object.assign(process.env, { IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER }, extra);
  return loadConfig({ ...COLD_IMPORT_ENV, ...extra }, () => '');
}

describe('the app credential', () => {
  it('in Azure asks the platform identity endpoint for a token of the user-assigned identity AZURE_CLIENT_ID names', async () => {
    const config = inAzure({ AZURE_CLIENT_ID: APP_IDENTITY });
    expect(config.credential).toBe('managedidentity');
    const credential = appCredential(config);
    expect(credential.constructor.name).toBe('ManagedIdentityCredential');
    const token = await credential.getToken('https://storage.azure.com/.default');
    expect(token?.token).toBe('not-a-real-token');
    expect(requests).toEqual([{ clientId: APP_IDENTITY, resource: 'https://storage.azure.com', header: IDENTITY_HEADER }]);
  });

  it('uses the managed identity even when secrets for an app registration sit in the environment', async () => {
    // DefaultAzureCredential would take these first (EnvironmentCredential) and never reach the identity.
    const config = inAzure({ AZURE_CLIENT_ID: APP_IDENTITY, AZURE_TENANT_ID: '00000000-0000-4000-8000-0000000000bb', AZURE_CLIENT_SECRET: 'stray-secret' });
    const credential = appCredential(config);
    expect(credential.constructor.name).toBe('ManagedIdentityCredential');
    await credential.getToken('https://monitor.azure.com/.default');
    expect(requests.map((request) => request.clientId)).toEqual([APP_IDENTITY]);
  });

  it('without AZURE_CLIENT_ID asks for the system-assigned identity (no client id in the request)', async () => {
    const config = inAzure();
    expect(config.managedIdentityClientId).toBeUndefined();
    await appCredential(config).getToken('https://management.azure.com/.default');
    expect(requests).toEqual([{ clientId: null, resource: 'https://management.azure.com', header: IDENTITY_HEADER }]);
  });

  it('is the developer sign-in chain (DefaultAzureCredential) only when TOKENWATCH_CREDENTIAL=developer says so', () => {
    expect(appCredential(loadConfig({ ...COLD_IMPORT_ENV, TOKENWATCH_CREDENTIAL: 'developer' }, () => '')).constructor.name).toBe('DefaultAzureCredential');
    expect(appCredential(loadConfig({ ...COLD_IMPORT_ENV, TOKENWATCH_CREDENTIAL: 'ManagedIdentity' }, () => '')).constructor.name).toBe('ManagedIdentityCredential');
  });

  it('fails the cold start on any other TOKENWATCH_CREDENTIAL, naming the setting', () => {
    expect(() => loadConfig({ ...COLD_IMPORT_ENV, TOKENWATCH_CREDENTIAL: 'default' }, () => '')).toThrow(ConfigError);
    expect(() => loadConfig({ ...COLD_IMPORT_ENV, TOKENWATCH_CREDENTIAL: 'default' }, () => '')).toThrow(/TOKENWATCH_CREDENTIAL must be managedidentity or developer, not "default"/);
  });
});
