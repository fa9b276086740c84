import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEndpointRecord } from '../../../../src/core/records/endpoint/parseEndpointRecord';
import { canonicalJson, FINGERPRINT_DEPTH, recordFingerprint } from '../../../../src/core/records/endpoint/recordFingerprint';

describe('record fingerprints', () => {
  it('serialise objects with sorted keys at every depth, skipping undefined members', () => {
    const record = { b: 1, a: { z: [3, { y: 'x', x: null }], c: undefined }, 'é': true, A: 'upper' };
    expect(canonicalJson(record)).toBe('{"A":"upper","a":{"z":[3,{"x":null,"y":"x"}]},"b":1,"é":true}');
    expect(canonicalJson([undefined, 'q"uote'])).toBe('[null,"q\\"uote"]');
  });

  it('read 64 levels of nesting and count anything deeper as one marker, however deep (no stack overflow)', () => {
    const nested = (depth: number, leaf: unknown): unknown => JSON.parse(`${'['.repeat(depth)}${JSON.stringify(leaf)}${']'.repeat(depth)}`);
    expect(canonicalJson(nested(FINGERPRINT_DEPTH, 1))).toBe(`${'['.repeat(FINGERPRINT_DEPTH)}1${']'.repeat(FINGERPRINT_DEPTH)}`);
    expect(canonicalJson(nested(FINGERPRINT_DEPTH, [1]))).toBe(`${'['.repeat(FINGERPRINT_DEPTH)}"…"${']'.repeat(FINGERPRINT_DEPTH)}`);
    expect(recordFingerprint({ a: nested(50_000, 1) })).toBe(recordFingerprint({ a: nested(50_000, 2) }));
    expect(recordFingerprint({ a: nested(10, 1) })).not.toBe(recordFingerprint({ a: nested(10, 2) }));
  });

  it('give the same id whatever the key order, and a different id for a different value', () => {
    const one = recordFingerprint({ Computer: 'WS5', EventID: 3, EventData: { Image: 'C:\\\\x.exe', DestinationIp: '169.254.169.254' } });
    const reordered = recordFingerprint({ EventData: { DestinationIp: '169.254.169.254', Image: 'C:\\\\x.exe' }, EventID: 3, Computer: 'WS5' });
    const other = recordFingerprint({ Computer: 'WS5', EventID: 3, EventData: { Image: 'C:\\\\x.exe', DestinationIp: '169.254.169.253' } });
    expect(one).toMatch(/^[0-9a-f]{32}$/);
    expect(reordered).toBe(one);
    expect(other).not.toBe(one);
  });

  it('are worked out when the record id is first read, and read like any other id', () => {
    // A Sentinel WindowsEvent export has no EventRecordID: its id is the fingerprint.
    const record = JSON.parse(readFileSync(path.join(__dirname, '../../../fixtures/endpoint/sysmon-windowsevent/event3-public-folder-imds.json'), 'utf8')) as unknown;
    const parsed = parseEndpointRecord(record, 'message 0 record 0');
    if (parsed.ok !== true) throw new Error('the fixture should parse');
    const source = parsed.value.source;
    expect(source.recordId).toBe(recordFingerprint(record));
    expect(source.recordId).toBe(source.recordId);
    expect({ ...source }).toEqual({ format: 'sysmon', recordId: recordFingerprint(record), category: source.category, origin: 'message 0 record 0' });
    expect(JSON.parse(JSON.stringify(source))).toEqual({ ...source });
  });
});
