import { describe, expect, it } from 'vitest';
import { canonicalJson, recordFingerprint } from '../../../../src/core/records/endpoint/recordFingerprint';

describe('record fingerprints', () => {
  it('serialise objects with sorted keys at every depth, skipping undefined members', () => {
    const record = { b: 1, a: { z: [3, { y: 'x', x: null }], c: undefined }, 'é': true, A: 'upper' };
    expect(canonicalJson(record)).toBe('{"A":"upper","a":{"z":[3,{"x":null,"y":"x"}]},"b":1,"é":true}');
    expect(canonicalJson([undefined, 'q"uote'])).toBe('[null,"q\\"uote"]');
  });

  it('give the same id whatever the key order, and a different id for a different value', () => {
    const one = recordFingerprint({ Computer: 'WS5', EventID: 3, EventData: { Image: 'C:\\\\x.exe', DestinationIp: '169.254.169.254' } });
    const reordered = recordFingerprint({ EventData: { DestinationIp: '169.254.169.254', Image: 'C:\\\\x.exe' }, EventID: 3, Computer: 'WS5' });
    const other = recordFingerprint({ Computer: 'WS5', EventID: 3, EventData: { Image: 'C:\\\\x.exe', DestinationIp: '169.254.169.253' } });
    expect(one).toMatch(/^[0-9a-f]{32}$/);
    expect(reordered).toBe(one);
    expect(other).not.toBe(one);
  });
});
