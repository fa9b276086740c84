import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { AZURITE_ACCOUNT, azuriteConnectionString } from '../../src/adapters/azurite';
import { StateStoreError } from '../../src/adapters/stateStore';
import { createTableClient, ensureTable, isLocalEmulator, isLoopbackUrl } from '../../src/adapters/tableClient';
import { TableStateStore } from '../../src/adapters/tableStateStore';

const KEY = 'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('plain HTTP only to a local emulator', () => {
  it('allows the development-storage shortcut and a loopback table endpoint', () => {
    expect(isLocalEmulator('UseDevelopmentStorage=true')).toBe(true);
    expect(isLocalEmulator('usedevelopmentstorage = TRUE;')).toBe(true);
    expect(isLocalEmulator(`DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;${KEY};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;`)).toBe(true);
    expect(isLocalEmulator(`DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;${KEY};TableEndpoint=http://localhost:10002/devstoreaccount1`)).toBe(true);
    expect(isLocalEmulator(`AccountName=devstoreaccount1;${KEY};TableEndpoint=http://[::1]:10002/devstoreaccount1`)).toBe(true);
  });

  it('refuses a remote endpoint whatever else the string contains', () => {
    // The text names a loopback address or "localhost", but the endpoint is elsewhere.
    expect(isLocalEmulator(`DefaultEndpointsProtocol=http;AccountName=localhost;${KEY};TableEndpoint=http://storage.example.com/localhost`)).toBe(false);
    expect(isLocalEmulator(`AccountName=acct;${KEY};TableEndpoint=http://127.0.0.1.example.net:10002/acct`)).toBe(false);
    expect(isLocalEmulator(`AccountName=acct;${KEY};TableEndpoint=http://localhost.example.net/acct`)).toBe(false);
    expect(isLocalEmulator('UseDevelopmentStorage=false;TableEndpoint=http://203.0.113.10:10002/acct')).toBe(false);
    // No endpoint: the SDK builds https://<account>.table.core.windows.net.
    expect(isLocalEmulator(`DefaultEndpointsProtocol=http;AccountName=acct127001;${KEY}`)).toBe(false);
    expect(isLocalEmulator('TableEndpoint=not a url')).toBe(false);
  });

  it('reads a URL by its host', () => {
    expect(isLoopbackUrl('http://127.0.0.1:10002/devstoreaccount1')).toBe(true);
    expect(isLoopbackUrl('http://LOCALHOST:10002/x')).toBe(true);
    expect(isLoopbackUrl('https://acct.table.core.windows.net/')).toBe(false);
    expect(isLoopbackUrl('http://127.0.0.2/x')).toBe(false);
    expect(isLoopbackUrl('')).toBe(false);
  });
});

describe('request timeouts', () => {
  it('a Table Storage request the service never answers fails the load (a StateStoreError the invocation throws), not the invocation’s whole timeout', async () => {
    // Accepts every request and never answers.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const client = createTableClient({ connectionString: azuriteConnectionString(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`) }, 'TokenWatchState', undefined, 150);
      const store = new TableStateStore(client, { cachePartitions: 10 });
      const started = Date.now();
      await expect(store.load(['mi|t|o'])).rejects.toBeInstanceOf(StateStoreError);
      // The SDK retries a timed-out request a few times (150 ms each, with back-off), well under a minute.
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 90_000);

  it('creating the table (a replay with --store) ends too when the store never answers', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const started = Date.now();
      await expect(ensureTable(azuriteConnectionString(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`), 'TokenWatchState', 150)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 90_000);
});
