import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertUploadTransientError, LogsIngestionAlertSink } from '../../src/adapters/logsIngestionSink';
import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow } from '../../src/core/alerts/alertRow';
import { ALERT_STREAM_NAME, alertStreamDeclaration } from '../../src/core/alerts/sentinelSchema';

/**
 * The sink against a loopback HTTPS server that imitates the DCR ingestion endpoint. The SDK's
 * bearer-token policy refuses plain http:// ("Bearer token authentication is not permitted for
 * non-TLS protected (non-https) URLs"), so the test makes a self-signed certificate with openssl
 * and hands the client an https.Agent that trusts it.
 */

const RULE_ID = 'dcr-00000000000000000000000000000001';

interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rows: Record<string, unknown>[];
}

/** Decides the answer to one request: HTTP status and JSON body, or 'reset' to drop the connection. */
type Responder = (rows: Record<string, unknown>[], index: number) => { status: number; body?: unknown; headers?: Record<string, string> } | 'reset' | 'hang';

let server: Server;
let endpoint: string;
let agent: Agent;
let certDir: string;
let received: ReceivedRequest[] = [];
let respond: Responder = () => ({ status: 204 });

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'tokenwatch-ingest-'));
  const keyFile = join(certDir, 'key.pem');
  const certFile = join(certDir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile);
  server = createServer({ key: readFileSync(keyFile), cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const rows = JSON.parse(text) as Record<string, unknown>[];
      const index = received.length;
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, rows });
      const answer = respond(rows, index);
      if (answer === 'reset') {
        request.socket.destroy();
        return;
      }
      // Never answers: the client's request timeout must end the wait.
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = new Agent({ ca: cert, keepAlive: false });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  agent.destroy();
  rmSync(certDir, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
  respond = () => ({ status: 204 });
});

class FakeCredential implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: 'fake-token', expiresOnTimestamp: Date.parse('2099-01-01T00:00:00Z') };
  }
}

function sink(credential: TokenCredential = new FakeCredential(), extra: { onUnauthorized?: (message: string) => void; requestTimeoutMs?: number } = {}): LogsIngestionAlertSink {
  return new LogsIngestionAlertSink({
    endpoint,
    ruleId: RULE_ID,
    credential,
    ...extra,
    // One quick SDK retry: proves that a transient answer is retried before the sink gives up.
    clientOptions: { agent, retryOptions: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 } },
  });
}

function remoteUseAlert(alertId: string, overrides: Partial<AlertRow> = {}): AlertRow {
  return {
    ...EMPTY_ALERT_FIELDS,
    ...ATTACK,
    AlertId: alertId,
    TimeGenerated: '2026-05-01T10:00:00Z',
    EventTime: '2026-05-01T10:00:00Z',
    Detector: 'RemoteTokenUse',
    AlertName: 'Managed identity token used from an unusual ASN',
    Severity: 'High',
    AADTenantId: '00000000-0000-0000-0000-0000000000aa',
    IdentityObjectId: '11111111-1111-1111-1111-111111111111',
    IdentityAppId: '22222222-2222-2222-2222-222222222222',
    IdentityName: 'contoso-orders-api',
    IdentityResourceId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-contoso/providers/Microsoft.Web/sites/contoso-orders-api',
    IPAddress: '203.0.113.10',
    IPScope: 'external',
    ASN: 64500,
    ASOrganization: 'Example Transit',
    TokenId: 'uti-contoso-1',
    TokenIssuedAt: '2026-05-01T09:55:00Z',
    SourceCategory: 'Administrative',
    Operation: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION',
    Reason: 'contoso-orders-api used a token from AS64500, never seen for it in 30 days.',
    Evidence: { baselineAsns: [64496], firstSeen: '2026-04-02T00:00:00Z' },
    ...overrides,
  };
}

describe('LogsIngestionAlertSink', () => {
  it('sends a batch in one gzipped request to the DCR stream with a bearer token for Azure Monitor', async () => {
    const credential = new FakeCredential();
    const result = await sink(credential).send([remoteUseAlert('a1'), remoteUseAlert('a2', { ASN: null, TokenIssuedAt: null })]);

    expect(result).toEqual({ sent: 2, failed: [] });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    // The SDK (1.2.0) percent-encodes the query name on the wire (`api%2Dversion=…`); servers decode it, so compare decoded.
    const url = new URL(request?.url ?? '', endpoint);
    expect(url.pathname).toBe(`/dataCollectionRules/${RULE_ID}/streams/${ALERT_STREAM_NAME}`);
    expect([...url.searchParams.entries()]).toEqual([['api-version', '2023-01-01']]);
    expect(request?.headers['authorization']).toBe('Bearer fake-token');
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(credential.scopes).toContain('https://monitor.azure.com/.default');
    expect(request?.rows.map((row) => row['AlertId'])).toEqual(['a1', 'a2']);
  });

  it('uploads rows whose JSON has exactly the DCR stream columns, dates as ISO-8601 UTC and Evidence as an object', async () => {
    await sink().send([remoteUseAlert('a1', { TimeGenerated: '2026-05-01T12:00:00+02:00' }), remoteUseAlert('a2', { ASN: null, TokenIssuedAt: null })]);

    const rows = received.flatMap((request) => request.rows);
    const columns = alertStreamDeclaration().columns;
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(columns.map((column) => column.name));
      for (const { name, type } of columns) {
        const value = row[name];
        if (value === null) continue;
        const expected = { string: 'string', datetime: 'string', long: 'number', dynamic: 'object' }[type];
        expect({ column: name, type: typeof value }).toEqual({ column: name, type: expected });
        if (type === 'datetime') expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
    }
    expect(rows[0]?.['TimeGenerated']).toBe('2026-05-01T10:00:00.000Z');
    expect(rows[0]?.['Evidence']).toEqual({ baselineAsns: [64496], firstSeen: '2026-04-02T00:00:00Z' });
    expect(rows[1]?.['ASN']).toBeNull();
    expect(rows[1]?.['TokenIssuedAt']).toBeNull();
  });

  it('makes no request for an empty batch', async () => {
    expect(await sink().send([])).toEqual({ sent: 0, failed: [] });
    expect(received).toHaveLength(0);
  });

  it('reports every row of a chunk the service refuses permanently and counts the other chunk as sent', async () => {
    // ~600 KB of evidence per row: the client's 1 MB limit puts each row in its own request.
    const padding = 'x'.repeat(600_000);
    respond = (rows) =>
      rows.some((row) => row['AlertId'] === 'refused')
        ? { status: 400, body: { error: { code: 'InvalidStream', message: 'Column Evidence does not match the stream declaration.' } } }
        : { status: 204 };

    const result = await sink().send([remoteUseAlert('accepted', { Evidence: { padding } }), remoteUseAlert('refused', { Evidence: { padding } })]);

    expect(received).toHaveLength(2);
    expect(result.sent).toBe(1);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.alertId).toBe('refused');
    expect(result.failed[0]?.reason).toContain('HTTP 400');
    expect(result.failed[0]?.reason).toContain('InvalidStream');
  });

  it.each([
    { status: 503, name: 'service unavailable' },
    { status: 500, name: 'internal error' },
    { status: 429, name: 'throttled', headers: { 'retry-after': '0' } },
    { status: 404, name: 'a DCR not propagated yet' },
  ])('throws AlertUploadTransientError on HTTP $status ($name); 5xx and 429 are retried by the client first', async ({ status, headers }) => {
    respond = () => ({ status, body: { error: { code: 'Transient', message: 'try later' } }, ...(headers ? { headers } : {}) });

    const error = await sink()
      .send([remoteUseAlert('a1')])
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

    expect(error).toBeInstanceOf(AlertUploadTransientError);
    expect((error as AlertUploadTransientError).message).toContain(`HTTP ${status}`);
    expect((error as AlertUploadTransientError).failedRows).toBe(1);
    if (status !== 404) expect(received.length).toBeGreaterThanOrEqual(2);
  });

  it.each([401, 403])('dead-letters the rows on HTTP %i as a configuration error, said once per send, instead of retrying forever', async (status) => {
    respond = () => ({ status, body: { error: { code: 'AuthorizationFailed', message: 'no permission' } } });
    const said: string[] = [];
    const result = await sink(new FakeCredential(), { onUnauthorized: (message) => said.push(message) }).send([remoteUseAlert('a1'), remoteUseAlert('a2')]);
    expect(result.sent).toBe(0);
    expect(result.failed.map((f) => [f.alertId, f.kind])).toEqual([['a1', 'unauthorized'], ['a2', 'unauthorized']]);
    expect(result.failed[0]?.reason).toContain('Monitoring Metrics Publisher');
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`HTTP ${status}`);
  });

  it.each([200, 202])('counts an answer of HTTP %i as sent (any 2xx is success)', async (status) => {
    respond = () => ({ status });
    expect(await sink().send([remoteUseAlert('a1')])).toEqual({ sent: 1, failed: [] });
  });

  it('ends a request the service never answers with a transient error, not a hung invocation', async () => {
    respond = () => 'hang';
    const started = Date.now();
    await expect(sink(new FakeCredential(), { requestTimeoutMs: 200 }).send([remoteUseAlert('a1')])).rejects.toBeInstanceOf(AlertUploadTransientError);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('throws AlertUploadTransientError when the connection drops', async () => {
    respond = () => 'reset';
    await expect(sink().send([remoteUseAlert('a1')])).rejects.toBeInstanceOf(AlertUploadTransientError);
  });

  it('throws when one chunk fails transiently even if another chunk was refused permanently', async () => {
    const padding = 'x'.repeat(600_000);
    respond = (rows) => (rows.some((row) => row['AlertId'] === 'busy') ? { status: 503 } : { status: 400, body: { error: { code: 'InvalidStream', message: 'bad' } } });
    await expect(sink().send([remoteUseAlert('bad', { Evidence: { padding } }), remoteUseAlert('busy', { Evidence: { padding } })])).rejects.toBeInstanceOf(
      AlertUploadTransientError,
    );
  });

  it('reports a row that cannot be converted to the stream shape and still sends the others', async () => {
    const result = await sink().send([remoteUseAlert('good'), remoteUseAlert('bad-date', { EventTime: 'yesterday' })]);

    expect(result.sent).toBe(1);
    expect(result.failed).toEqual([{ alertId: 'bad-date', reason: 'not sent: EventTime is not a date: "yesterday"' }]);
    expect(received.flatMap((request) => request.rows.map((row) => row['AlertId']))).toEqual(['good']);
  });
});
