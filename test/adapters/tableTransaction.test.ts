import { AzureSASCredential, RestError, TableClient, type TransactionAction } from '@azure/data-tables';
import { createHttpHeaders, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { toEntity } from '../../src/adapters/tableStateStore';
import { entityJson, parseTransactionResponse, submitEntityTransaction, type EntityOperation } from '../../src/adapters/tableTransaction';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';

/** A client whose pipeline keeps the body of every $batch request it sends. */
async function capturingClient(name: string): Promise<{ client: TableClient; bodies: string[] }> {
  const conn = azuriteConnectionString();
  const table = uniqueTableName(name);
  await ensureTable(conn, table);
  const bodies: string[] = [];
  const client = TableClient.fromConnectionString(conn, table, {
    allowInsecureConnection: true,
    additionalPolicies: [{ position: 'perCall', policy: { name: 'capture', sendRequest: (request, next) => { if (request.url.includes('$batch')) bodies.push(String(request.body)); return next(request); } } }],
  });
  return { client, bodies };
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const sameWithoutIds = (body: string): string => body.replace(GUID, '<id>');

describe('submitEntityTransaction against Azurite', () => {
  it('sends, operation for operation, the body the SDK sends for the same transaction', async () => {
    const { client, bodies } = await capturingClient('txwire');
    const key = "mi|t'1|a b é";
    const row = { s: 'x"y\\z', n: 1764000000000, f: -1.5, b: true };
    await client.submitTransaction([['create', toEntity(key, '~v', { n: 1 })], ['upsert', toEntity(key, "r'1", row), 'Replace']]);
    const etag = (await client.getEntity(key, '~v')).etag;
    const sdkSecond: TransactionAction[] = [['update', toEntity(key, '~v', { n: 2 }), 'Replace', { etag }], ['delete', { partitionKey: key, rowKey: "r'1" }]];
    await client.submitTransaction(sdkSecond);
    await client.deleteEntity(key, '~v');

    await submitEntityTransaction(client, key, [{ op: 'create', rowKey: '~v', data: { n: 1 } }, { op: 'upsert', rowKey: "r'1", data: row }]);
    const ours = await submitEntityTransaction(client, key, [{ op: 'replace', rowKey: '~v', data: { n: 2 }, ifMatch: (await client.getEntity(key, '~v')).etag }, { op: 'delete', rowKey: "r'1" }]);

    expect(bodies).toHaveLength(4);
    expect(sameWithoutIds(bodies[2]!)).toBe(sameWithoutIds(bodies[0]!));
    // The second pair differs only in the ETag each run's first write produced.
    const withoutEtags = (body: string): string => sameWithoutIds(body).replace(/If-Match: W\/"[^"]*"/, 'If-Match: <etag>');
    expect(withoutEtags(bodies[3]!)).toBe(withoutEtags(bodies[1]!));
    expect(ours.subResponses.map((r) => r.status)).toEqual([204, 204]);
    expect(ours.subResponses[0]!.etag).toMatch(/^W\/"datetime'/);
    expect(ours.subResponses[0]!.etag).toBe((await client.getEntity(key, '~v')).etag);
  });

  it('stores strings, numbers and booleans so that they read back as written, quotes and U+2028 included', async () => {
    const { client } = await capturingClient('txvalues');
    const data = { name: "vm-web'01 \u2028 naïve", issuedAt: 1764000000123, share: 0.25, negative: -3, flag: false, empty: '' };
    await submitEntityTransaction(client, 'tok|t|2026120100', [{ op: 'upsert', rowKey: 'uti-AbC_9', data }]);
    const read = await client.getEntity<Record<string, unknown>>('tok|t|2026120100', 'uti-AbC_9');
    expect(read).toMatchObject(data);
    expect(typeof read['issuedAt']).toBe('number');
  });

  it('applies nothing of a transaction whose guard fails, and reports the status the store treats as a conflict', async () => {
    const { client } = await capturingClient('txguard');
    const key = 'mi|t|o';
    await submitEntityTransaction(client, key, [{ op: 'create', rowKey: '~v', data: { n: 1 } }]);
    const stale = (await client.getEntity(key, '~v')).etag;
    await submitEntityTransaction(client, key, [{ op: 'replace', rowKey: '~v', data: { n: 2 }, ifMatch: stale }]);

    const replaced = submitEntityTransaction(client, key, [{ op: 'replace', rowKey: '~v', data: { n: 3 }, ifMatch: stale }, { op: 'upsert', rowKey: 'asn|8075', data: { first: 1 } }]);
    await expect(replaced).rejects.toMatchObject({ statusCode: 412, code: 'UpdateConditionNotSatisfied' });
    const created = submitEntityTransaction(client, key, [{ op: 'upsert', rowKey: 'ip|203.0.113.7', data: { first: 1 } }, { op: 'create', rowKey: '~v', data: { n: 9 } }]);
    await expect(created).rejects.toBeInstanceOf(RestError);
    await expect(created).rejects.toMatchObject({ statusCode: 409, code: 'EntityAlreadyExists' });

    const rows: string[] = [];
    for await (const e of client.listEntities()) rows.push(`${String(e.rowKey)}=${String(e['n'] ?? '')}`);
    expect(rows).toEqual(['~v=2']);
  });

  it('writes 100 operations, the service limit, in one request', async () => {
    const { client, bodies } = await capturingClient('txfull');
    const operations: EntityOperation[] = Array.from({ length: 100 }, (_, i) => ({ op: 'upsert', rowKey: `r${String(i).padStart(3, '0')}`, data: { i } }));
    const result = await submitEntityTransaction(client, 'sup|t|2026120100', operations);
    expect(bodies).toHaveLength(1);
    expect(result.subResponses).toHaveLength(100);
    let count = 0;
    for await (const e of client.listEntities()) if (e['i'] === count) count++;
    expect(count).toBe(100);
  });
});

describe('submitEntityTransaction on a SAS client', () => {
  it('keeps the signature on the $batch request and leaves it out of the sub-requests', async () => {
    const sent: PipelineRequest[] = [];
    const httpClient: HttpClient = {
      sendRequest: (request) => {
        sent.push(request);
        const body = ['--batchresponse_1', 'Content-Type: multipart/mixed; boundary=changesetresponse_1', '', '--changesetresponse_1', 'Content-Type: application/http', '', 'HTTP/1.1 204 No Content', 'ETag: W/"x"', '', '--changesetresponse_1--', '--batchresponse_1--', ''].join('\r\n');
        return Promise.resolve({ request, status: 202, headers: createHttpHeaders({ 'content-type': 'multipart/mixed; boundary=batchresponse_1' }), bodyAsText: body });
      },
    };
    const client = new TableClient('https://account.table.core.windows.net', 'TokenWatchState', new AzureSASCredential('sv=2024-01-01&sig=abc'));
    const result = await submitEntityTransaction(client, 'p', [{ op: 'upsert', rowKey: 'r', data: { a: 'b' } }], httpClient);
    expect(result.subResponses).toEqual([{ status: 204, etag: 'W/"x"' }]);
    expect(sent[0]!.url).toMatch(/^https:\/\/account\.table\.core\.windows\.net\/\$batch\?.*sig=abc/);
    expect(String(sent[0]!.body)).toContain("PUT https://account.table.core.windows.net/TokenWatchState(PartitionKey='p',RowKey='r') HTTP/1.1");
    expect(String(sent[0]!.body)).not.toContain('sig=');
  });
});

describe('submitEntityTransaction over plain HTTP', () => {
  it('refuses a non-loopback http endpoint before connecting, as the client itself does', async () => {
    // 192.0.2.1 (TEST-NET-1) is never reached: the HTTP client refuses the insecure request first.
    const client = new TableClient('http://192.0.2.1/account', 'TokenWatchState', new AzureSASCredential('sv=2024-01-01&sig=abc'));
    await expect(submitEntityTransaction(client, 'p', [{ op: 'delete', rowKey: 'r' }])).rejects.toThrow(/allowInsecureConnection/);
  });
});

describe('entityJson', () => {
  it('types numbers as Edm.Double and refuses values JSON cannot carry', () => {
    expect(entityJson('p', 'r', { n: 3, s: '3', b: true })).toBe('{"PartitionKey":"p","RowKey":"r","n":3,"n@odata.type":"Edm.Double","s":"3","b":true}');
    expect(JSON.parse(entityJson('p', 'r', { s: 'a\u2028b\u2029c' }))).toEqual({ PartitionKey: 'p', RowKey: 'r', s: 'a\u2028b\u2029c' });
    expect(entityJson('p', 'r', { s: 'a\u2028b' })).not.toMatch(/\u2028/);
    expect(() => entityJson('p', 'r', { n: Number.NaN })).toThrow(RangeError);
    expect(() => entityJson('p', 'r', { n: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});

describe('parseTransactionResponse', () => {
  const part = (lines: string[]): string => ['--changesetresponse_9', 'Content-Type: application/http', '', ...lines, ''].join('\r\n');
  const wrap = (...parts: string[]): string => ['--batchresponse_9', 'Content-Type: multipart/mixed; boundary=changesetresponse_9', '', ...parts, '--changesetresponse_9--', '--batchresponse_9--', ''].join('\r\n');

  it('returns one status and ETag per operation', () => {
    const body = wrap(part(['HTTP/1.1 201 Created', 'ETag: W/"a"']), part(['HTTP/1.1 204 No Content']));
    expect(parseTransactionResponse(202, body, 2)).toEqual({ subResponses: [{ status: 201, etag: 'W/"a"' }, { status: 204 }] });
  });

  it('throws the failed operation’s status and code', () => {
    const body = wrap(part(['HTTP/1.1 404 Not Found', 'Content-Type: application/json', '', '{"odata.error":{"code":"ResourceNotFound","message":{"lang":"en-US","value":"1:The specified resource does not exist."}}}']));
    expect(() => parseTransactionResponse(202, body, 2)).toThrow(expect.objectContaining({ statusCode: 404, code: 'ResourceNotFound', message: '1:The specified resource does not exist.' }));
  });

  it('throws on a failed request, on a sub-response without a status, and on a count that does not match', () => {
    expect(() => parseTransactionResponse(403, '<html>denied</html>', 1)).toThrow(expect.objectContaining({ statusCode: 403, message: 'Transaction Failed' }));
    expect(() => parseTransactionResponse(202, wrap(part(['garbage'])), 1)).toThrow(/no status line/);
    expect(() => parseTransactionResponse(202, wrap(part(['HTTP/1.1 204 No Content'])), 2)).toThrow(/1 sub-responses for 2 operations/);
  });
});
