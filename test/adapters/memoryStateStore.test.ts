import { describe, expect, it } from 'vitest';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import type { RowChange } from '../../src/core/state/partition';

const upsert = (partitionKey: string, rowKey: string, data: Record<string, number>): RowChange => ({ kind: 'upsert', partitionKey, rowKey, data });

describe('MemoryStateStore', () => {
  it('hands out one snapshot per partition version: the same object until a write, then a new one that the old one does not see', async () => {
    const store = new MemoryStateStore(new MemoryStateBackend());
    const pk = 'mi|t|o1';
    const empty = (await store.load([pk])).get(pk)!;
    expect(empty.rows.size).toBe(0);
    expect(await store.commit([upsert(pk, 'asn|8075', { first: 1, last: 1 })], new Map([[pk, empty]]))).toEqual({ written: 1, conflicts: [] });
    const v1 = (await store.load([pk])).get(pk)!;
    v1.derived = new Map([['asn|8075', 3]]);
    expect((await store.load([pk])).get(pk)).toBe(v1);
    expect(await store.commit([upsert(pk, 'asn|8075', { first: 1, last: 2 })], new Map([[pk, v1]]))).toEqual({ written: 1, conflicts: [] });
    const v2 = (await store.load([pk])).get(pk)!;
    expect(v2).not.toBe(v1);
    expect(v2.derived).toBeUndefined();
    expect(v1.rows.get('asn|8075')).toEqual({ first: 1, last: 1 });
    expect(v2.rows.get('asn|8075')).toEqual({ first: 1, last: 2 });
  });

  it('insert-only partitions (creates) grow in place, one transaction per 100 rows, and a row created first by another writer is a conflict', async () => {
    const backend = new MemoryStateBackend();
    const store = new MemoryStateStore(backend);
    const pk = 'use|t|2026030106';
    const create = (rowKey: string, net: string): RowChange => ({ kind: 'create', partitionKey: pk, rowKey, data: { net, at: 1 } });
    const loaded = await store.load([pk]);
    expect(await store.commit([create('a', 'westeurope'), create('b', 'westeurope')], loaded)).toEqual({ written: 1, conflicts: [] });
    const snapshot = (await store.load([pk])).get(pk)!;
    expect(await store.commit([create('c', 'westeurope')], loaded)).toEqual({ written: 1, conflicts: [] });
    // The same snapshot object, grown: insert-only partitions are not copied per write.
    expect((await store.load([pk])).get(pk)).toBe(snapshot);
    expect([...snapshot.rows.keys()]).toEqual(['a', 'b', 'c']);
    const transactions = backend.transactions;
    expect(await store.commit([create('d', 'eastus'), create('a', 'eastus')], loaded)).toEqual({ written: 0, conflicts: [pk] });
    expect(backend.transactions).toBe(transactions);
    expect(snapshot.rows.has('d')).toBe(false);
    expect(snapshot.rows.get('a')).toEqual({ net: 'westeurope', at: 1 });
  });

  it('a shared snapshot still guards: a second writer judging the same version conflicts', async () => {
    const backend = new MemoryStateBackend();
    const [a, b] = [new MemoryStateStore(backend), new MemoryStateStore(backend)];
    const pk = 'mi|t|o2';
    await a.commit([upsert(pk, 'ip|1', { first: 1, last: 1 })], await a.load([pk]));
    const seenByA = await a.load([pk]);
    const seenByB = await b.load([pk]);
    expect(seenByB.get(pk)).toBe(seenByA.get(pk));
    expect(await a.commit([upsert(pk, 'ip|2', { first: 2, last: 2 })], seenByA)).toEqual({ written: 1, conflicts: [] });
    expect(await b.commit([upsert(pk, 'ip|3', { first: 3, last: 3 })], seenByB)).toEqual({ written: 0, conflicts: [pk] });
  });

  it('writes a partition no load has handed out in place, and copies it again once one has', async () => {
    const backend = new MemoryStateBackend();
    const store = new MemoryStateStore(backend);
    const pk = 'tok|t|2026120102';
    const unguarded = (rowKey: string): RowChange => ({ kind: 'upsert', partitionKey: pk, rowKey, data: { issuedAt: 1 }, unguarded: true });
    await store.commit([unguarded('a')], new Map());
    const firstRows = backend.partitions.get(pk)!.rows;
    await store.commit([unguarded('b')], new Map());
    // Never handed out: the same rows, written into, at the next version.
    expect(backend.partitions.get(pk)!.rows).toBe(firstRows);
    expect(backend.partitions.get(pk)!.version).toBe(2);
    const handedOut = (await store.load([pk])).get(pk)!;
    await store.commit([unguarded('c')], new Map());
    // Handed out: the snapshot keeps what it had, the next version has every row.
    expect([...handedOut.rows.keys()]).toEqual(['a', 'b']);
    expect([...(await store.load([pk])).get(pk)!.rows.keys()]).toEqual(['a', 'b', 'c']);
  });
});
