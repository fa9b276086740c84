import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundAlertRow, EVIDENCE_TEXT_MAX_CHARS, REASON_MAX_CHARS } from '../../../src/core/bounds/alertBounds';
import { MAX_RECORD_DEPTH, nestsDeeperThan, prunedCopy } from '../../../src/core/bounds/nesting';
import { boundId, boundTenantId, boundText, COMMAND_LINE_MAX_CHARS, ID_MAX_CHARS, TENANT_ID_MAX_CHARS, TEXT_MAX_CHARS } from '../../../src/core/bounds/textBounds';
import { EMPTY_ALERT_FIELDS, ATTACK, type AlertRow } from '../../../src/core/alerts/alertRow';
import type { AuditEvent } from '../../../src/core/records/auditEvent';
import { parseAuditRecord } from '../../../src/core/records/auditRecord';
import { parseEndpointRecord } from '../../../src/core/records/endpoint/parseEndpointRecord';
import { EARLIEST_EVENT_MS, endpointWithinWindow, eventTimeWindow, MAX_EVENT_LEAD_MS } from '../../../src/core/records/eventTimeWindow';
import type { Parsed } from '../../../src/core/records/reject';
import { makeReject, REJECT_DETAIL_CHARS } from '../../../src/core/records/reject';
import { wellFormed } from '../../../src/core/records/wellFormed';
import { activityUse, at, ATTACKER_IP, graphUse, identity, miSignIn } from '../../support/auditFixtures';

/** Poison records (issue 24): every value kept is bounded, depth is measured first, input is strict. */

const deepArray = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

function event(parsed: Parsed<AuditEvent> | undefined): AuditEvent {
  if (parsed === undefined || !parsed.ok) throw new Error(`not parsed: ${JSON.stringify(parsed)?.slice(0, 300)}`);
  return parsed.value;
}

function rejectReason(parsed: Parsed<unknown> | undefined): string {
  if (parsed === undefined || parsed.ok) throw new Error('not rejected');
  return parsed.reject.reason;
}

describe('text bounds', () => {
  it('keeps what fits and cuts what does not, saying how much was cut', () => {
    expect(boundText('vm-web01')).toBe('vm-web01');
    const long = 'a'.repeat(100_000);
    const cut = boundText(long, 1_000);
    expect(cut.length).toBeLessThanOrEqual(1_000);
    const cutChars = Number(/…\[\+(\d+) chars\]$/.exec(cut)?.[1]);
    expect(cut.length - `…[+${cutChars} chars]`.length + cutChars).toBe(100_000);
  });

  it('never leaves half a surrogate pair at the cut', () => {
    for (let max = 40; max < 60; max++) {
      const cut = boundText('\u{1F600}'.repeat(1_000), max);
      expect(wellFormed(cut)).toBe(cut);
    }
  });

  it('bounds identifiers deterministically, and two that differ only past the cut stay apart', () => {
    const a = `${'0b1ec7'.repeat(1_000)}a`;
    const b = `${'0b1ec7'.repeat(1_000)}b`;
    expect(boundId(a).length).toBeLessThanOrEqual(ID_MAX_CHARS);
    expect(boundId(a)).toBe(boundId(a));
    expect(boundId(a)).not.toBe(boundId(b));
    expect(boundTenantId(a).length).toBeLessThanOrEqual(TENANT_ID_MAX_CHARS);
    expect(boundId('72f988bf-0000-4000-8000-00000000c0de')).toBe('72f988bf-0000-4000-8000-00000000c0de');
  });

  it('bounds every string of an alert row that can come from a record, Evidence included', () => {
    const huge = 'x'.repeat(2_000_000);
    const row: AlertRow = {
      ...EMPTY_ALERT_FIELDS,
      AlertId: 'a1',
      TimeGenerated: '2026-03-21T08:00:00.000Z',
      EventTime: '2026-03-21T08:00:00.000Z',
      Detector: 'TokenTheft',
      AlertName: 'name',
      Severity: 'High',
      AADTenantId: huge,
      ProcessPath: huge,
      ProcessCommandLine: huge,
      Target: huge,
      Reason: huge,
      Evidence: { url: huge, process: { parentPath: huge }, list: [huge] },
      ...ATTACK,
    };
    const bounded = boundAlertRow(row);
    expect(bounded.AADTenantId.length).toBeLessThanOrEqual(TEXT_MAX_CHARS);
    expect(bounded.ProcessPath.length).toBeLessThanOrEqual(TEXT_MAX_CHARS);
    expect(bounded.ProcessCommandLine.length).toBeLessThanOrEqual(COMMAND_LINE_MAX_CHARS);
    expect(bounded.Reason.length).toBeLessThanOrEqual(REASON_MAX_CHARS);
    expect(JSON.stringify(bounded.Evidence).length).toBeLessThan(4 * EVIDENCE_TEXT_MAX_CHARS);
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThan(64 * 1024);
  });
});

describe('records with huge fields are bounded where they enter', () => {
  it('a sign-in with a name, resource, token id and object id of megabytes keeps its identity, bounded', () => {
    const id = { ...identity(3), name: 'n'.repeat(2_000_000), resourceId: `/subscriptions/${'r'.repeat(500_000)}` };
    const huge = { ...id, objectId: `${id.objectId}${'f'.repeat(100_000)}` };
    const issuance = event(parseAuditRecord(miSignIn(huge, at(20), { uniqueTokenIdentifier: 't'.repeat(300_000) }), 'huge'));
    if (issuance.kind !== 'issuance') throw new Error(issuance.kind);
    expect(issuance.name.length).toBeLessThanOrEqual(TEXT_MAX_CHARS);
    expect(issuance.resourceId.length).toBeLessThanOrEqual(ID_MAX_CHARS);
    expect(issuance.tokenId.length).toBeLessThanOrEqual(ID_MAX_CHARS);
    expect(issuance.objectId.length).toBeLessThanOrEqual(ID_MAX_CHARS);
    // Another object id with the same head is another identity.
    const other = event(parseAuditRecord(miSignIn({ ...huge, objectId: `${huge.objectId}0` }, at(20)), 'other'));
    if (other.kind !== 'issuance') throw new Error(other.kind);
    expect(other.objectId).not.toBe(issuance.objectId);
  });

  it('a use with a huge operation and tenant id is bounded; a Graph URI too', () => {
    const use = activityUse(identity(4), at(20, 5), ATTACKER_IP, { operation: `MICROSOFT.KEYVAULT/${'V'.repeat(1_000_000)}` });
    const parsed = event(parseAuditRecord(use, 'op'));
    if (parsed.kind !== 'use') throw new Error(parsed.kind);
    expect(parsed.operation.length).toBeLessThanOrEqual(TEXT_MAX_CHARS);
    const graph = graphUse(identity(4), at(20, 6), ATTACKER_IP);
    const properties = graph['properties'] as Record<string, unknown>;
    const longTenant = { ...graph, tenantId: undefined, properties: { ...properties, tenantId: 'T'.repeat(5_000), requestUri: `https://graph.microsoft.com/v1.0/${'u/'.repeat(500_000)}` } };
    const graphEvent = event(parseAuditRecord(longTenant, 'graph'));
    if (graphEvent.kind !== 'use') throw new Error(graphEvent.kind);
    expect(graphEvent.operation.length).toBeLessThanOrEqual(TEXT_MAX_CHARS);
    expect(graphEvent.tenantId.length).toBeLessThanOrEqual(TENANT_ID_MAX_CHARS);
  });
});

describe('nesting depth is measured before any recursive walk', () => {
  it('measures depth with a walk that stops at the bound', () => {
    expect(nestsDeeperThan({ a: { b: [1, { c: 2 }] } })).toBe(false);
    expect(nestsDeeperThan(deepArray(MAX_RECORD_DEPTH))).toBe(false);
    expect(nestsDeeperThan(deepArray(MAX_RECORD_DEPTH + 1))).toBe(true);
    expect(nestsDeeperThan(deepArray(200_000))).toBe(true);
  });

  it('a record that is an array nested thousands of levels deep is a record.too-deep reject, for both parser families', () => {
    for (const depth of [5_000, 100_000]) {
      expect(rejectReason(parseAuditRecord(deepArray(depth), 'deep'))).toBe('record.too-deep');
      const endpoint = parseEndpointRecord(deepArray(depth), 'deep');
      expect(endpoint.ok === false ? endpoint.reject.reason : endpoint.ok).toBe('record.too-deep');
    }
  });

  it('a record rejected for another reason with a deep field keeps its reason and a sample of its shape', () => {
    const record = { category: 'Administrative', time: 'not a time', resourceId: '/subscriptions/x', callerIpAddress: ATTACKER_IP, identity: { claims: { oid: 'x' } }, junk: deepArray(50_000) };
    const parsed = parseAuditRecord(record, 'deep-field');
    expect(rejectReason(parsed)).toBe('activity.bad-time');
    if (parsed === undefined || parsed.ok) throw new Error('not rejected');
    expect(parsed.reject.sample).toContain('"category":"Administrative"');
    expect(parsed.reject.sample).toContain('…');
  });

  it('a pruned copy keeps own keys as keys: __proto__ never becomes the prototype', () => {
    const hostile = JSON.parse(`{"__proto__":{"polluted":true},"a":${'['.repeat(100)}${']'.repeat(100)}}`) as unknown;
    const copy = prunedCopy(hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('bounds a reject detail that quotes a value', () => {
    expect(makeReject('x', 'y'.repeat(100_000), {}, 'o').detail.length).toBeLessThanOrEqual(REJECT_DETAIL_CHARS);
  });
});

describe('caller addresses are parsed strictly', () => {
  const useFrom = (ip: unknown): Parsed<AuditEvent> | undefined => parseAuditRecord({ ...activityUse(identity(5), at(20, 5), ATTACKER_IP), callerIpAddress: ip }, `ip ${String(ip)}`);

  it.each(['01.2.3.4', '1.2.3.4/32', '203.0.113.0/24', '16909060', 16909060, '0x7f000001', '1.2.3', '1.2.3.4.5', '999.1.1.1', '[1.2.3.4]:443', '1.2.3.4%eth0', `fe80::1%${'z'.repeat(65)}`, '<Redacted>:62289'])(
    '%s is a record.bad-ip reject',
    (ip) => {
      expect(rejectReason(useFrom(ip))).toBe('record.bad-ip');
    },
  );

  it.each(['203.0.113.7', ' 203.0.113.7 ', '203.0.113.7:443', '2001:db8::66', '[2001:db8::66]:443', '::ffff:203.0.113.7', 'fe80::1%eth0'])('%s is judged', (ip) => {
    const parsed = event(useFrom(ip));
    expect(parsed.kind).toBe('use');
  });

  it('a use that names no address is judged as before (the unknown-ip rung), not rejected', () => {
    const record = activityUse(identity(5), at(20, 5), ATTACKER_IP);
    delete record['callerIpAddress'];
    expect(event(parseAuditRecord(record, 'no ip')).kind).toBe('use');
  });
});

describe('event times outside a plausible window are rejects', () => {
  const processedAt = Date.UTC(2026, 2, 21, 12);
  const activityAt = (time: string): unknown => ({ ...activityUse(identity(6), at(20), ATTACKER_IP), time });

  it.each(['1601-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '2014-12-31T23:59:59Z'])('%s is a record.time-out-of-window reject, with or without a processing time', (time) => {
    expect(rejectReason(parseAuditRecord(activityAt(time), 'live', eventTimeWindow(processedAt)))).toBe('record.time-out-of-window');
    expect(rejectReason(parseAuditRecord(activityAt(time), 'replay'))).toBe('record.time-out-of-window');
  });

  it('says which time it read and the window, open-ended when there is no processing time', () => {
    const parsed = parseAuditRecord(activityAt('0001-01-01T00:00:00.0000000Z'), 'replay');
    const detail = parsed?.ok === false ? parsed.reject.detail : '';
    expect(detail).toBe("The record's time 0001-01-01T00:00:00.000Z is outside the plausible window: from 2015-01-01T00:00:00.000Z on.");
  });

  it('9999-12-31 is a record.time-out-of-window reject when the batch has a processing time', () => {
    expect(rejectReason(parseAuditRecord(activityAt('9999-12-31T23:59:59.9999999Z'), 'live', eventTimeWindow(processedAt)))).toBe('record.time-out-of-window');
  });

  it('takes events up to a day ahead of processing, and no more; a replay keeps only the lower bound', () => {
    const window = eventTimeWindow(processedAt);
    const ahead = (ms: number): string => new Date(processedAt + ms).toISOString();
    expect(event(parseAuditRecord(activityAt(ahead(MAX_EVENT_LEAD_MS - 60_000)), 'soon', window)).kind).toBe('use');
    expect(rejectReason(parseAuditRecord(activityAt(ahead(MAX_EVENT_LEAD_MS + 60_000)), 'later', window))).toBe('record.time-out-of-window');
    expect(event(parseAuditRecord(activityAt(ahead(365 * MAX_EVENT_LEAD_MS)), 'replay')).kind).toBe('use');
    expect(event(parseAuditRecord(activityAt(new Date(EARLIEST_EVENT_MS).toISOString()), 'first day', window)).kind).toBe('use');
  });

  it('applies to every kind of event, a sign-in too, and to endpoint events', () => {
    expect(rejectReason(parseAuditRecord({ ...miSignIn(identity(6), at(20)), time: '1601-01-01T00:00:00Z' }, 'sign-in'))).toBe('record.time-out-of-window');
    const record = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/endpoint/ecs/process-curl-gcp-token.json'), 'utf8')) as Record<string, unknown>;
    const window = eventTimeWindow(processedAt);
    const parsedAt = (time: string) => {
      const copy = { ...record, '@timestamp': time };
      return endpointWithinWindow(parseEndpointRecord(copy, 'ecs'), window, copy, 'ecs');
    };
    expect(parsedAt('2026-03-04T08:03:00.000Z').ok).toBe(true);
    const future = parsedAt('9999-12-31T23:59:59.000Z');
    expect(future.ok === false ? future.reject.reason : future.ok).toBe('record.time-out-of-window');
  });
});
