import { describe, expect, it } from 'vitest';
import { OtherAuditEvent, RecordKeyParts, recordKeyText, TokenIssuanceEvent, TokenUseEvent } from '../../../src/core/records/auditEvent';
import { parseAuditRecord } from '../../../src/core/records/auditRecord';
import { decodeMessage } from '../../../src/core/records/envelope';
import { parseTime } from '../../../src/core/records/time';
import { activityUse, at, graphUse, identity, miSignIn, TENANT } from '../../support/auditFixtures';
import { keyVaultUse, storageUse } from '../../support/regionFixtures';

const id = identity(71);

function parse(record: unknown) {
  const result = parseAuditRecord(record, 'test');
  if (!result) throw new Error('not routed');
  return result;
}

describe('envelope decoding', () => {
  it.each([
    ['records object', { records: [{ a: 1 }, { a: 2 }] }, 2, []],
    ['bare array', [{ a: 1 }], 1, []],
    ['single record', { a: 1 }, 1, []],
    ['JSON string', '{"records":[{"a":1}]}', 1, []],
    ['Buffer', Buffer.from('{"records":[{"a":1},{"a":2},{"a":3}]}'), 3, []],
    ['BOM-prefixed string', '\uFEFF{"records":[]}', 0, []],
    ['NDJSON body', '{"a":1}\n{"a":2}\n', 2, []],
    ['not JSON', 'hello', 0, ['body.invalid-json']],
    ['empty', '', 0, ['body.empty']],
    ['records not an array', { records: {} }, 0, ['body.records-not-array']],
    ['number', 42, 0, ['body.not-an-object']],
  ])('%s', (_name, body, count, reasons) => {
    const decoded = decodeMessage(body, 'm');
    expect(decoded.records).toHaveLength(count);
    expect(decoded.rejects.map((r) => r.reason)).toEqual(reasons);
  });
});

describe('time parsing', () => {
  it.each([
    ['2022-01-24T04:59:49.2279838Z', Date.UTC(2022, 0, 24, 4, 59, 49, 227)],
    ['2022-01-24T04:59:49.2279838+00:00', Date.UTC(2022, 0, 24, 4, 59, 49, 227)],
    ['2022-01-24T06:59:49+02:00', Date.UTC(2022, 0, 24, 4, 59, 49)],
    ['2022-01-24T04:59:49', Date.UTC(2022, 0, 24, 4, 59, 49)],
    ['1/24/2022 4:59:49 AM', Date.UTC(2022, 0, 24, 4, 59, 49)],
    ['1/24/2022 4:59:49 PM', Date.UTC(2022, 0, 24, 16, 59, 49)],
    ['1643000389', 1643000389000],
    // Plain digits (the fast path) and what the general path reads around them.
    ['1643000389227', 1643000389227],
    ['164300038', 164300038000],
    ['16430003', undefined],
    ['16430003892270', undefined],
    [' 1643000389 ', 1643000389000],
    ['1643000389.5', 1643000389500],
    ['0000000000', undefined],
    [1643000389, 1643000389000],
    [1643000389227, 1643000389227],
    ['2022-01-24T04:59:49Z', Date.UTC(2022, 0, 24, 4, 59, 49)],
    ['2022-01-24T04:59:49.1Z', Date.UTC(2022, 0, 24, 4, 59, 49, 100)],
    ['2022-01-24T04:59:49.12+00:00', Date.UTC(2022, 0, 24, 4, 59, 49, 120)],
    ['2022-01-24T04:59:49.2279838', Date.UTC(2022, 0, 24, 4, 59, 49, 227)],
    ['2022-01-24T04:59:49.2279838z', Date.UTC(2022, 0, 24, 4, 59, 49, 227)],
    [' 2022-01-24T04:59:49Z ', Date.UTC(2022, 0, 24, 4, 59, 49)],
    ['2022-01-24 04:59:49Z', Date.UTC(2022, 0, 24, 4, 59, 49)],
    ['2022-01-24T04:59:49.Z', undefined],
    ['2022-01-24T24:00:00Z', undefined],
    ['2022-01-24T04:59:4xZ', undefined],
    ['2022-01-24T04:59:49+0100', Date.UTC(2022, 0, 24, 3, 59, 49)],
    ['yesterday', undefined],
    ['2022-13-24T04:59:49Z', undefined],
    [null, undefined],
    // The last time a Date can hold, and numbers past it (a Date of those cannot be formatted).
    [8.64e15, 8.64e15],
    [8.64e15 + 1, undefined],
    [1e300, undefined],
  ])('%s', (input, expected) => {
    expect(parseTime(input)).toBe(expected);
  });
});

describe('ManagedIdentitySignInLogs', () => {
  it('is a token issuance with the MI catalog facts and the token id', () => {
    const result = parse(miSignIn(id, at(0)));
    expect(result).toMatchObject({ ok: true, value: { kind: 'issuance', tenantId: TENANT, objectId: id.objectId, appId: id.appId, name: id.name, timeMs: at(0) } });
  });
  it('a failed MI sign-in issues no token', () => {
    expect(parse(miSignIn(id, at(0), { status: { errorCode: 700016 } }))).toMatchObject({ ok: true, value: { kind: 'other', note: 'sign-in.failed' } });
  });
  it('is rejected without a service principal id', () => {
    const record = miSignIn(id, at(0));
    delete (record['properties'] as Record<string, unknown>)['servicePrincipalId'];
    expect(parse(record)).toMatchObject({ ok: false, reject: { reason: 'signin.no-service-principal' } });
  });
  it('ServicePrincipalSignInLogs is counted, never an MI', () => {
    const record = { ...miSignIn(id, at(0)), category: 'ServicePrincipalSignInLogs', callerIpAddress: '203.0.113.1' };
    expect(parse(record)).toMatchObject({ ok: true, value: { kind: 'other', note: 'sign-in.service-principal' } });
  });
});

describe('Azure Activity log', () => {
  it('an MI call is a token use with caller IP, claims and xms_mirid', () => {
    const result = parse(activityUse(id, at(1), '203.0.113.5', { token: 'tok-1', iatMs: at(1) - 600_000 }));
    expect(result).toMatchObject({
      ok: true,
      value: { kind: 'use', objectId: id.objectId, appId: id.appId, tokenId: 'tok-1', callerIp: '203.0.113.5', miResourceId: id.resourceId, principalType: 'app', issuedAtMs: at(1) - 600_000, operation: 'MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ' },
    });
  });
  it('identifies a record without eventDataId by its correlation id, operation, resource (without case), time, caller and token', () => {
    const record = activityUse(id, at(1), '203.0.113.5', { token: 'tok-1' });
    const result = parse(record);
    if (!result.ok || result.value.kind !== 'use') throw new Error('not a use');
    // The text alert ids are made of: the same whether the key was joined on the way in or on demand.
    // No result: Log Analytics' ActivityStatusValue need not spell it as the Event Hub resultType does.
    expect(recordKeyText(result.value.recordKey)).toBe(`${String(record['correlationId'])}|MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ|${String(record['resourceId']).toLowerCase()}|${at(1)}|203.0.113.5|tok-1`);
    const other = parse({ ...record, resultType: 'Succeeded', resourceId: String(record['resourceId']).toLowerCase() });
    expect(other.ok && other.value.kind === 'use' && recordKeyText(other.value.recordKey)).toBe(recordKeyText(result.value.recordKey));
    const withEventId = parse({ ...record, eventDataId: 'ev-1' });
    expect(withEventId.ok && withEventId.value.kind === 'use' && recordKeyText(withEventId.value.recordKey)).toBe('ev-1');
  });
  it('carries a caller logged as a plain dotted quad also as its number, and no number for any other spelling', () => {
    const numberOf = (record: Record<string, unknown>): number | undefined => {
      const result = parse(record);
      if (!result.ok || result.value.kind !== 'use') throw new Error('not a use');
      return result.value.callerIpv4;
    };
    expect(numberOf(activityUse(id, at(1), '203.0.113.5'))).toBe(0xcb00_7105);
    expect(numberOf(graphUse(id, at(1), '198.51.100.20'))).toBe(0xc633_6414);
    expect(numberOf(activityUse(id, at(1), '203.0.113.5:52113'))).toBeUndefined();
    expect(numberOf(activityUse(id, at(1), '2001:db8::5'))).toBeUndefined();
    expect(numberOf(activityUse(id, at(1), ''))).toBeUndefined();
  });
  it('a user call is recognised as a user', () => {
    const record = activityUse(id, at(1), '203.0.113.5', { withMirid: false });
    const claims = (record['identity'] as { claims: Record<string, string> }).claims;
    delete claims['idtyp'];
    claims['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'] = 'adele@contoso.example';
    (record['identity'] as { authorization: { evidence: Record<string, string> } }).authorization.evidence['principalType'] = 'User';
    expect(parse(record)).toMatchObject({ ok: true, value: { kind: 'use', principalType: 'user' } });
  });
  it('claims serialised as a JSON string are read', () => {
    const record = activityUse(id, at(1), '203.0.113.5');
    const identityField = record['identity'] as Record<string, unknown>;
    identityField['claims'] = JSON.stringify(identityField['claims']);
    expect(parse(record)).toMatchObject({ ok: true, value: { kind: 'use', objectId: id.objectId } });
  });
  it.each([
    ['Activity identity', () => activityUse(id, at(1), '203.0.113.5'), 'identity'],
    ['Key Vault identity', () => keyVaultUse(id, at(1), '203.0.113.7'), 'identity'],
    ['Storage identity', () => storageUse(id, at(1), '203.0.113.8:51234', 'ab'.repeat(32)), 'identity'],
    ['Graph properties', () => graphUse(id, at(1), '203.0.113.9'), 'properties'],
    ['sign-in properties', () => miSignIn(id, at(1)), 'properties'],
  ])('%s serialised as a JSON string is read as the object it holds', (_name, make, nested) => {
    const record = make();
    const expected = parse(record);
    expect(expected.ok).toBe(true);
    expect(parse({ ...record, [nested]: ` ${JSON.stringify(record[nested])} ` })).toEqual(expected);
  });
  it.each([
    ['Graph', () => graphUse(id, at(1), '203.0.113.9'), 'graph.no-properties'],
    ['sign-in', () => miSignIn(id, at(1)), 'signin.no-properties'],
  ])('%s properties that hold no JSON object are a counted reject', (_name, make, reason) => {
    for (const properties of ['not json', '{"servicePrincipalId":', '[1,2]', 42]) {
      expect(parse({ ...make(), properties }), String(properties)).toMatchObject({ ok: false, reject: { reason } });
    }
  });
  it('a record without a caller (service health) is counted as other', () => {
    const record = { time: '2026-03-01T10:00:00Z', category: 'ServiceHealth', operationName: 'Microsoft.ServiceHealth/incident/action', resourceId: '/SUBSCRIPTIONS/C0FFEE00-0000-4000-8000-000000000003', properties: {} };
    expect(parse(record)).toMatchObject({ ok: true, value: { kind: 'other', note: 'category.not-monitored' } });
  });
  it('a record whose claims are empty names no caller: counted as other, as its Log Analytics row is, not rejected', () => {
    // Platform-initiated Administrative and Policy events (a policy's deployIfNotExists, a platform
    // maintenance action) carry an identity with no claims.
    for (const category of ['Administrative', 'Policy']) {
      const record = { time: '2026-03-01T10:00:00Z', category, operationName: 'Microsoft.Authorization/policies/deployIfNotExists/action', resourceId: '/SUBSCRIPTIONS/C0FFEE00-0000-4000-8000-000000000003/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1', identity: { authorization: { action: 'Microsoft.Authorization/policies/deployIfNotExists/action', scope: '/subscriptions/c0ffee00-0000-4000-8000-000000000003' }, claims: {} } };
      expect(parse(record), category).toMatchObject({ ok: true, value: { kind: 'other', note: 'activity.no-caller-token' } });
      expect(parse({ ...record, identity: { claims: '{}' } }), `${category}, as text`).toMatchObject({ ok: true, value: { kind: 'other', note: 'activity.no-caller-token' } });
    }
    // Claims that name a caller without its ids are still a reject: a caller was there.
    const anonymous = { time: '2026-03-01T10:00:00Z', category: 'Administrative', operationName: 'Microsoft.Compute/virtualMachines/write', resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1', identity: { claims: { iss: 'https://sts.windows.net/' + TENANT + '/' } } };
    expect(parse(anonymous)).toMatchObject({ ok: false, reject: { reason: 'activity.no-caller-id' } });
  });
  it('Key Vault AuditEvent (identity.claim) is a token use', () => {
    const record = { time: '2026-03-01T10:00:00Z', category: 'AuditEvent', operationName: 'SecretGet', resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV', callerIpAddress: '203.0.113.7', identity: { claim: { oid: id.objectId, appid: id.appId, xms_mirid: id.resourceId, 'http://schemas.microsoft.com/identity/claims/tenantid': TENANT } } };
    expect(parse(record)).toMatchObject({ ok: true, value: { kind: 'use', objectId: id.objectId, callerIp: '203.0.113.7', category: 'AuditEvent', operation: 'SecretGet' } });
  });
  it('is rejected when the time is missing', () => {
    const record = activityUse(id, at(1), '203.0.113.5');
    delete record['time'];
    expect(parse(record)).toMatchObject({ ok: false, reject: { reason: 'activity.bad-time' } });
  });
  it('names no tenant when neither the claims nor the record name one (the app decides: app/tenantlessRecords.ts)', () => {
    const record = activityUse(id, at(1), '203.0.113.5');
    const claims = (record['identity'] as { claims: Record<string, string> }).claims;
    // The issuer URLs name the tenant too (Key Vault claims often carry nothing else).
    for (const claim of ['http://schemas.microsoft.com/identity/claims/tenantid', 'iss', 'http://schemas.microsoft.com/identity/claims/identityprovider']) delete claims[claim];
    expect(parse({ ...record, tenantId: TENANT })).toMatchObject({ ok: true, value: { kind: 'use', tenantId: TENANT } });
    expect(parse(record)).toMatchObject({ ok: true, value: { kind: 'use', tenantId: '' } });
  });
});

describe('MicrosoftGraphActivityLogs', () => {
  it('an app-only call is a token use linked by signInActivityId', () => {
    expect(parse(graphUse(id, at(2), '2001:db8:2::9', { token: 'sia-1', issuedAtMs: at(2) - 60_000 }))).toMatchObject({
      ok: true,
      value: { kind: 'use', objectId: id.objectId, tokenId: 'sia-1', callerIp: '2001:db8:2::9', issuedAtMs: at(2) - 60_000, operation: 'GET https://graph.microsoft.com/v1.0/users' },
    });
  });
  it('a delegated call (userId, no servicePrincipalId) is counted as other', () => {
    const record = graphUse(id, at(2), '203.0.113.1');
    const p = record['properties'] as Record<string, unknown>;
    p['servicePrincipalId'] = null;
    p['userId'] = '9f0c0000-0000-4000-8000-00000000abcd';
    expect(parse(record)).toMatchObject({ ok: true, value: { kind: 'other', note: 'graph.delegated' } });
  });
  it('an app-only call that names no tenant is rejected (state is kept per tenant)', () => {
    const record = graphUse(id, at(2), '203.0.113.1');
    delete (record['properties'] as Record<string, unknown>)['tenantId'];
    delete record['tenantId'];
    expect(parse(record)).toMatchObject({ ok: false, reject: { reason: 'graph.no-tenant' } });
  });
  it('is rejected without properties', () => {
    expect(parse({ time: '2026-03-01T10:00:00Z', category: 'MicrosoftGraphActivityLogs' })).toMatchObject({ ok: false, reject: { reason: 'graph.no-properties' } });
  });
});

describe('routing', () => {
  it('a record a parser throws on is a record.unreadable reject, not an exception', () => {
    // JSON cannot make these parsers throw today; a field whose read throws stands in for whatever
    // a future record shape or parser bug does, which must not fail the batch.
    const record = { time: '2026-03-01T10:00:00Z', get category(): string { throw new TypeError('unexpected shape'); } };
    expect(parseAuditRecord(record, 'message 0 record 3')).toMatchObject({ ok: false, reject: { reason: 'record.unreadable', origin: 'message 0 record 3', detail: expect.stringContaining('TypeError: unexpected shape') } });
  });

  it('an endpoint record or junk is not an Azure log', () => {
    expect(parseAuditRecord({ category: 'AdvancedHunting-DeviceNetworkEvents', time: '2026-03-01T10:00:00Z', operationName: 'Publish', properties: {} }, 't')).toBeUndefined();
    expect(parseAuditRecord({ hello: 'world' }, 't')).toBeUndefined();
    expect(parseAuditRecord('text', 't')).toBeUndefined();
  });
  it('other diagnostic categories are counted, not rejected', () => {
    expect(parse({ time: '2026-03-01T10:00:00Z', category: 'AuditLogs', operationName: 'Add member to role', resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam` })).toMatchObject({ ok: true, value: { kind: 'other', note: 'category.not-monitored' } });
  });
  it('platform metrics a diagnostic setting with AllMetrics streams into the same hub are counted, not rejected', () => {
    // The metrics shape of Azure Monitor's Event Hub export: no category, a metric name and grain.
    const metric = {
      count: 1, total: 12, minimum: 12, maximum: 12, average: 12,
      resourceId: '/SUBSCRIPTIONS/C0FFEE00-0000-4000-8000-000000000003/RESOURCEGROUPS/RG-CONTOSO/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-CONTOSO-BILLING',
      time: '2026-03-01T10:07:00.0000000Z', metricName: 'ServiceApiLatency', timeGrain: 'PT1M',
    };
    expect(parse(metric)).toMatchObject({ ok: true, value: { kind: 'other', note: 'metric' } });
    expect(parseAuditRecord({ ...metric, time: 'soon' }, 't')).toMatchObject({ ok: false, reject: { reason: 'metric.bad-time' } });
  });
});

describe('event allocation', () => {
  // Object literals here were pretenured by V8 and then kept their strings alive past the batch
  // (see TokenUseEvent): the parsers must build events, keys and results through constructors.
  it('every audit parser returns class instances, not literals', () => {
    const withoutIds = activityUse(id, at(1), '203.0.113.5', { token: 'tok-1' });
    const results = [parse(miSignIn(id, at(1))), parse(withoutIds), parse(graphUse(id, at(1), '203.0.113.5')), parse({ ...miSignIn(id, at(1)), category: 'SignInLogs' })];
    const events = results.map((r) => (r.ok ? r.value : undefined));
    expect(results.map((r) => Object.getPrototypeOf(r) === Object.prototype)).toEqual([false, false, false, false]);
    expect(events.map((e) => e?.constructor)).toEqual([TokenIssuanceEvent, TokenUseEvent, TokenUseEvent, OtherAuditEvent]);
    const activity = events[1];
    expect(activity?.kind === 'use' && activity.recordKey).toBeInstanceOf(RecordKeyParts);
  });
});
