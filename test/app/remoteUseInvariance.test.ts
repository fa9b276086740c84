import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { decodeMessages } from '../../src/app/decodeMessages';
import { parseAuditMessages, parseAuditRecords, runRemoteUseBatch } from '../../src/app/remoteUseRunner';
import type { Reject } from '../../src/core/records/reject';
import { tenantPartitions } from '../../src/core/remoteUse/batchPlan';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, ATTACKER_IP6, AZURE_IP, graphUse, identity, miSignIn, ONPREM_IP, ONPREM_IP_2, TENANT, testClassifier, tokenId } from '../support/auditFixtures';
import { alertKeys, replayRecords } from '../support/remoteUseHarness';

/** A 30-day scenario with learning-period Lows, then High, Medium and Low uses. */
function scenario(): Record<string, unknown>[] {
  const ids = [identity(11), identity(12), identity(13, 'uami'), identity(14, 'arc')];
  const records: Record<string, unknown>[] = [];
  for (let day = 0; day < 30; day++) {
    ids.forEach((id, n) => {
      records.push(miSignIn(id, at(day, n)));
      records.push(activityUse(id, at(day, 10 + n), AZURE_IP, { token: tokenId(id, at(day, n)), iatMs: at(day, n) - 300_000 }));
      records.push(graphUse(id, at(day, 20 + n), AZURE_IP, { token: tokenId(id, at(day, n)), issuedAtMs: at(day, n) - 300_000 }));
    });
    if (day < 12) records.push(activityUse(ids[1]!, at(day, 40), ONPREM_IP));
    if (day < 12) records.push(activityUse(ids[3]!, at(day, 41), ONPREM_IP));
    if (day === 18 || day === 20 || day === 27) records.push(activityUse(ids[0]!, at(day, 50), ATTACKER_IP, { token: tokenId(ids[0]!, at(day, 0)), iatMs: at(day, 0) - 300_000 }));
    if (day === 19) records.push(graphUse(ids[2]!, at(day, 51), ATTACKER_IP6, { token: tokenId(ids[2]!, at(day, 2)) }));
    if (day >= 16) records.push(activityUse(ids[1]!, at(day, 52), day % 4 === 0 ? ONPREM_IP_2 : ONPREM_IP));
  }
  return records.sort((a, b) => String(a['time']).localeCompare(String(b['time'])));
}

/** Deterministic shuffle (no Math.random): a fixed permutation of the batch. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('remote-use invariance', () => {
  it('batch size 1 and one batch give identical alert sets', async () => {
    const records = scenario();
    const one = await replayRecords(records);
    const single = await replayRecords(records, { batchSize: 1 });
    const mid = await replayRecords(records, { batchSize: 37 });
    expect(one.alerts.length).toBeGreaterThanOrEqual(6);
    expect(new Set(one.alerts.map((a) => a.Severity))).toEqual(new Set(['Low', 'Medium', 'High']));
    expect(alertKeys(single.alerts)).toEqual(alertKeys(one.alerts));
    expect(alertKeys(mid.alerts)).toEqual(alertKeys(one.alerts));
    expect(single.alerts.map((a) => a.Reason)).toEqual(one.alerts.map((a) => a.Reason));
  });

  it('an operation whose Success is listed before its Start raises the AlertIds of event-time order, one record per invocation or all in one', async () => {
    // Each unusual use is an Activity operation's Start and, 2 s later, its Success, as a body
    // may list them: Success first. Judged one record per invocation, the Success raises.
    const records: Record<string, unknown>[] = [];
    for (const record of scenario()) {
      const ip = (record['callerIpAddress'] as string | undefined) ?? '';
      if (ip === ATTACKER_IP || ip === ONPREM_IP_2) {
        const success = { ...record, time: new Date(Date.parse(String(record['time'])) + 2_000).toISOString(), resultType: 'Success' };
        records.push(success, { ...record, resultType: 'Start' });
      } else records.push(record);
    }
    const inTimeOrder = await replayRecords([...records].sort((a, b) => String(a['time']).localeCompare(String(b['time']))));
    const oneByOne = await replayRecords(records, { batchSize: 1 });
    const ids = (alerts: typeof oneByOne.alerts): string[] => alerts.map((a) => `${a.Severity} ${a.IdentityName} ${a.AlertId}`).sort();
    expect(inTimeOrder.alerts.filter((a) => a.IPAddress === ATTACKER_IP || a.IPAddress === ONPREM_IP_2).length).toBeGreaterThanOrEqual(3);
    expect(ids(oneByOne.alerts)).toEqual(ids(inTimeOrder.alerts));
    // The one-by-one run's alerts are the Success records' (the first judged), at the same AlertId.
    expect(oneByOne.alerts.map((a) => a.EventTime).sort()).not.toEqual(inTimeOrder.alerts.map((a) => a.EventTime).sort());
  });

  it('the order of messages inside a batch does not matter', async () => {
    const records = scenario();
    const ordered = await replayRecords(records, { batchSize: 50 });
    // Shuffle inside each 50-record batch only: batches still arrive in order.
    const within: Record<string, unknown>[] = [];
    for (let i = 0; i < records.length; i += 50) within.push(...shuffled(records.slice(i, i + 50)));
    const shuffledRun = await replayRecords(within, { batchSize: 50 });
    expect(alertKeys(shuffledRun.alerts)).toEqual(alertKeys(ordered.alerts));
  });

  it('a batch delivered twice adds no alert and changes no state (write-once suppression and token rows are rewritten identical)', async () => {
    const records = scenario();
    const backend = new MemoryStateBackend();
    const store = new MemoryStateStore(backend);
    const sink = new MemoryAlertSink();
    const deps = { store, sink, deadLetter: new MemoryRejectSink(), settings: defaultRemoteUseSettings(testClassifier) };
    const batches: ReturnType<typeof decodeMessages>[] = [];
    for (let i = 0; i < records.length; i += 40) batches.push(decodeMessages([{ records: records.slice(i, i + 40) }], () => `b${i}`));
    const contents = (): Record<string, unknown> =>
      Object.fromEntries([...backend.partitions].map(([key, p]) => [key, [...p.rows].sort(([a], [b]) => a.localeCompare(b))]));
    const guardedVersions = (): number[] => [...backend.partitions].filter(([key]) => !key.startsWith('sup|') && !key.startsWith('tok|')).map(([, p]) => p.version);
    let redeliveredChanges = 0;
    let suppressionsCounted = 0;
    for (const [n, batch] of batches.entries()) {
      suppressionsCounted += (await runRemoteUseBatch(batch.records, batch.rejects, deps, `b${n}`)).detection.suppressed;
      const before = contents();
      const versionsBefore = guardedVersions();
      const again = await runRemoteUseBatch(batch.records, batch.rejects, deps, `b${n}-again`);
      // Blind write-once rows: a suppression's ledger row and each sign-in's token row, the same data again.
      redeliveredChanges += again.stateChanges - again.detection.suppressed - again.detection.issuances;
      expect(contents()).toEqual(before);
      expect(guardedVersions()).toEqual(versionsBefore);
    }
    expect(redeliveredChanges).toBe(0);
    // Each suppression is one ledger row, however often its batch was delivered.
    const ledgerRows = [...backend.partitions].filter(([key]) => key.startsWith('sup|')).reduce((n, [, p]) => n + p.rows.size, 0);
    expect(suppressionsCounted).toBeGreaterThan(5);
    expect(ledgerRows).toBe(suppressionsCounted);
    const unique = new Set(sink.rows.map((a) => a.AlertId));
    const reference = await replayRecords(records, { batchSize: 40 });
    expect([...unique].sort()).toEqual(reference.alerts.map((a) => a.AlertId).sort());
    // Every redelivered alert was re-emitted with the same AlertId, so Sentinel collapses it.
    expect(sink.rows.length).toBe(2 * unique.size);
  });

  it('processing time does not change alerts (event time drives every window)', async () => {
    const records = scenario();
    const a = await replayRecords(records, { settings: { processedAt: Date.UTC(2030, 0, 1) } });
    // Both after every event: an event dated more than a day after processing is a reject (EventTimeWindow).
    const b = await replayRecords(records, { settings: { processedAt: Date.UTC(2026, 5, 1) } });
    expect(a.alerts.map((x) => x.AlertId)).toEqual(b.alerts.map((x) => x.AlertId));
    expect(a.alerts[0]?.TimeGenerated).toBe('2030-01-01T00:00:00.000Z');
  });

  it('token buckets split into shards register and link the same tokens and raise the same alerts', async () => {
    const records = scenario();
    const plain = await replayRecords(records, { batchSize: 37 });
    const sharded = await replayRecords(records, { batchSize: 37, settings: { tokenBucketShards: 4 } });
    expect(alertKeys(sharded.alerts)).toEqual(alertKeys(plain.alerts));
    expect(sharded.alerts.map((a) => [a.AlertId, a.TokenIssuedAt, a.Evidence['tokenLinkedToIssuance']])).toEqual(plain.alerts.map((a) => [a.AlertId, a.TokenIssuedAt, a.Evidence['tokenLinkedToIssuance']]));
    expect(plain.alerts.some((a) => a.Evidence['tokenLinkedToIssuance'] === true)).toBe(true);
    const buckets = (run: typeof plain) => [...run.backend.partitions.keys()].filter((k) => k.startsWith('tok|'));
    expect(buckets(plain).every((k) => k.split('|').length === 3)).toBe(true);
    expect(new Set(buckets(sharded).map((k) => k.split('|')[3]))).toEqual(new Set(['0', '1', '2', '3']));
    const rows = (run: typeof plain) => buckets(run).reduce((n, k) => n + run.backend.partitions.get(k)!.rows.size, 0);
    expect(rows(sharded)).toBe(rows(plain));
  });

  it('links an alert to a token issued in an earlier invocation by reading only the token rows it cites', async () => {
    const id = identity(11);
    const issued = at(15, 0);
    const token = tokenId(id, issued);
    // Known identity, past the learning period: 15 days of uses from inside Azure.
    const history = Array.from({ length: 15 }, (_, day) => activityUse(id, at(day, 10), AZURE_IP));
    const signIn = miSignIn(id, issued);
    const theft = activityUse(id, at(15, 50), ATTACKER_IP, { token, iatMs: issued - 300_000 });
    const run = async (batches: Record<string, unknown>[][]) => {
      const backend = new MemoryStateBackend();
      const deps = { store: new MemoryStateStore(backend), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: defaultRemoteUseSettings(testClassifier) };
      let readsOfLastBatch = 0;
      for (const [n, records] of batches.entries()) {
        const batch = decodeMessages([{ records }], () => `b${n}`);
        const before = backend.reads;
        await runRemoteUseBatch(batch.records, batch.rejects, deps, `b${n}`);
        readsOfLastBatch = backend.reads - before;
      }
      const alert = deps.sink.rows.find((a) => a.IPAddress === ATTACKER_IP);
      return { alert, readsOfLastBatch, buckets: [...backend.partitions.keys()].filter((k) => k.startsWith('tok|')) };
    };

    const inOneBatch = await run([history, [signIn, theft]]);
    const acrossBatches = await run([history, [signIn], [theft]]);
    expect(acrossBatches.alert).toBeDefined();
    // The same alert, evidence and reason whether the sign-in shared the use's invocation or not.
    expect(acrossBatches.alert).toEqual(inOneBatch.alert);
    expect(acrossBatches.alert!.Evidence['tokenLinkedToIssuance']).toBe(true);
    expect(acrossBatches.alert!.Evidence['issuingIdentityObjectId']).toBe(id.objectId);
    expect(acrossBatches.alert!.Evidence['minutesFromIssuanceToUse']).toBe(50);
    expect(acrossBatches.alert!.Reason).toMatch(/issued by Entra ID 50 minutes earlier\.$/);
    // The use's invocation loads its tenant and identity partitions and the first uses of tokens
    // issued in its iat's hour, and reads the token's row in the buckets of iat (07:55) and iat +
    // 10 min (08:05): no bucket is loaded.
    expect(acrossBatches.buckets).toHaveLength(1);
    expect(acrossBatches.readsOfLastBatch).toBe(5);

    // A token nobody registered stays unlinked, and the alert is still raised.
    const unregistered = await run([history, [theft]]);
    expect(unregistered.alert!.AlertId).toBe(acrossBatches.alert!.AlertId);
    expect(unregistered.alert!.Evidence['tokenLinkedToIssuance']).toBe(false);
    expect(unregistered.alert!.Reason).not.toContain('issued by Entra ID');
  });

  it('links a use to its issuance by token id and puts the evidence in the alert', async () => {
    const records = scenario();
    const { alerts } = await replayRecords(records);
    const high = alerts.find((a) => a.Severity === 'High' && a.IPAddress === ATTACKER_IP);
    expect(high).toBeDefined();
    expect(high!.TokenIssuedAt).toBe(new Date(at(18, 0)).toISOString());
    expect(high!.Evidence['tokenLinkedToIssuance']).toBe(true);
    expect(high!.Evidence['minutesFromIssuanceToUse']).toBe(50);
    expect(high!.Evidence['issuingIdentityName']).toBe(identity(11).name);
    expect(high!.Reason).toContain('issued by Entra ID 50 minutes earlier');
    expect(high!.ASN).toBe(64501);
    expect(high!.Evidence['baselineAsns']).toEqual([8075]);
  });
});

describe('parsing message by message', () => {
  it('collects the tenants the events name, each once in first-seen order: the first load round', () => {
    const OTHER = '0ddba11e-0000-4000-8000-000000000002';
    const foreign = activityUse(identity(12), at(1, 2), ONPREM_IP);
    (foreign['identity'] as { claims: Record<string, string> }).claims['http://schemas.microsoft.com/identity/claims/tenantid'] = OTHER;
    const records = [miSignIn(identity(11), at(1)), foreign, activityUse(identity(11), at(1, 3), ONPREM_IP), { ...foreign, correlationId: 'again' }];
    const parsed = parseAuditMessages([{ records }], (i) => `message ${i}`);
    expect(parsed.tenants).toEqual([TENANT, OTHER]);
    expect(tenantPartitions(parsed.tenants)).toEqual(tenantPartitions(parsed.events.map((e) => e.tenantId)));
  });

  it('gives the same events, categories and rejects as decoding the whole batch first', () => {
    const records = scenario();
    const messages: unknown[] = [];
    for (let i = 0; i < records.length; i += 25) {
      const slice = records.slice(i, i + 25);
      // Text bodies (as the host hands over a body it did not parse), parsed objects and a bare array.
      messages.push(i % 75 === 0 ? JSON.stringify({ records: slice }) : i % 75 === 25 ? { records: slice } : slice);
    }
    messages.push('not json', { records: 'nope' }, JSON.stringify({ records: [{ category: 'ManagedIdentitySignInLogs', time: 'later' }, 7] }));
    const originOf = (i: number): string => `message ${i}`;
    const whole = decodeMessages(messages, originOf);
    const expected = parseAuditRecords(whole.records);
    const streamed = parseAuditMessages(messages, originOf);
    expect(streamed.records).toBe(records.length + 2);
    expect(streamed.events).toEqual(expected.events);
    expect(streamed.byCategory).toEqual(expected.byCategory);
    // Counted in runs of one category: the interleaved categories of the scenario must add up as one by one.
    const oneByOne: Record<string, number> = {};
    for (const e of streamed.events) oneByOne[e.category || '(none)'] = (oneByOne[e.category || '(none)'] ?? 0) + 1;
    expect(streamed.byCategory).toEqual(oneByOne);
    expect(Object.keys(oneByOne).length).toBeGreaterThan(2);
    // The tenants collected while reading are the first load round a pass over the events gives.
    expect(tenantPartitions(streamed.tenants)).toEqual(tenantPartitions(streamed.events.map((e) => e.tenantId)));
    expect(streamed.tenants.length).toBeGreaterThan(0);
    const byOrigin = (a: Reject, b: Reject): number => a.origin.localeCompare(b.origin);
    expect([...streamed.rejects].sort(byOrigin)).toEqual([...whole.rejects, ...expected.rejects].sort(byOrigin));
    expect(streamed.rejects.map((r) => r.reason)).toEqual(['body.invalid-json', 'body.records-not-array', 'signin.bad-time', 'record.not-azure-log']);
  });
});
