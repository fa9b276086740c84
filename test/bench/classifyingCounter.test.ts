import { describe, expect, it } from 'vitest';
import { RequestCounter } from '../../src/adapters/tableClient';
import { ClassifyingRequestCounter, partitionFamily, requestKind } from '../../src/bench/classifyingCounter';

describe('request classification', () => {
  it.each([
    { method: 'GET', url: "http://127.0.0.1:10002/devstoreaccount1/state()?$filter=PartitionKey%20eq%20'mi%7Cx'", kind: 'query' },
    { method: 'GET', url: "http://127.0.0.1:10002/devstoreaccount1/state(PartitionKey='tok%7Cx%7C2026090112',RowKey='u1')", kind: 'read' },
    { method: 'POST', url: 'http://127.0.0.1:10002/devstoreaccount1/$batch', kind: 'transaction' },
    { method: 'PUT', url: "http://127.0.0.1:10002/devstoreaccount1/state(PartitionKey='a',RowKey='b')", kind: 'write' },
    { method: 'DELETE', url: "http://127.0.0.1:10002/devstoreaccount1/state(PartitionKey='a',RowKey='b')", kind: 'write' },
    { method: 'POST', url: 'http://127.0.0.1:10002/devstoreaccount1/Tables', kind: 'write' },
  ])('$method $url is a $kind', ({ method, url, kind }) => {
    expect(requestKind(method, url)).toBe(kind);
  });

  it.each([
    { url: "https://x/state()?$filter=PartitionKey%20eq%20'tok%7Ct%7C2026090112'", body: '', family: 'tok' },
    { url: "https://x/state()?$filter=PartitionKey eq 'tenant|t'", body: '', family: 'tenant' },
    { url: "https://x/state(PartitionKey='tok%7Ct%7C2026090112',RowKey='u1')", body: '', family: 'tok' },
    { url: 'https://x/$batch', body: '--batch\r\n{"PartitionKey":"mi|t|o","RowKey":"~v"}', family: 'mi' },
    { url: 'https://x/$batch', body: "DELETE https://x/state(PartitionKey='host|h',RowKey='r')", family: 'host' },
    { url: 'https://x/Tables', body: '{"TableName":"state"}', family: 'other' },
  ])('names the partition family of $url as $family', ({ url, body, family }) => {
    expect(partitionFamily(url, body)).toBe(family);
  });

  it('is still a RequestCounter: every request counts once in `requests`, and reset clears the breakdown', async () => {
    const counter = new ClassifyingRequestCounter();
    expect(counter).toBeInstanceOf(RequestCounter);
    const next = async () => ({ status: 200 }) as never;
    const request = (method: string, url: string) => ({ method, url, body: undefined }) as never;
    await counter.policy.sendRequest(request('GET', "https://x/t()?$filter=PartitionKey eq 'mi|a'"), next);
    await counter.policy.sendRequest(request('POST', 'https://x/$batch'), next);
    expect(counter.requests).toBe(2);
    expect(counter.byKind).toEqual({ query: 1, read: 0, transaction: 1, write: 0 });
    expect(counter.byTarget).toEqual({ 'query mi': 1, 'transaction other': 1 });
    counter.reset();
    expect([counter.requests, counter.byKind.query, Object.keys(counter.byTarget).length]).toEqual([0, 0, 0]);
  });
});
