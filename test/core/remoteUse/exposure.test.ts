import { describe, expect, it } from 'vitest';
import { MemoryStateBackend } from '../../../src/adapters/memoryStateStore';
import { ConfigError, loadConfig } from '../../../src/config';
import { EMPTY_ALERT_FIELDS, type AlertRow } from '../../../src/core/alerts/alertRow';
import { alertId } from '../../../src/core/alerts/alertId';
import { machineOfAlert } from '../../../src/core/correlation/machineLink';
import { joinTheftAndUse } from '../../../src/core/correlation/theftAndUse';
import type { UsualExternalMode } from '../../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, AZURE_IP, identity, miSignIn, ONPREM_IP, ONPREM_IP_2, TENANT } from '../../support/auditFixtures';
import { replayRecords } from '../../support/remoteUseHarness';
import { noFiles, PRODUCTION_ENV } from '../../support/configEnv';

/**
 * TOKENWATCH_USUAL_EXTERNAL: a usual external use (IP and ASN in the baseline) is a Low alert
 * deduplicated for 5 days (`alert`, the default) or one exposure row per identity and UTC day of
 * event time (`exposure`); any use a stronger rule also judges stays an alert in both modes.
 */

const vmA = identity(1); // used from inside Azure only
const vmB = identity(2); // used from inside Azure and from the on-prem network, learned during the learning period

/** 21 days of ordinary traffic: tenant starts on day 0 (08:00 UTC), activation on day 14; vmB also learns ONPREM_IP on days 1..10. */
function history(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let day = 0; day <= 20; day++) {
    for (const id of [vmA, vmB]) records.push(miSignIn(id, at(day, 0)));
    records.push(activityUse(vmA, at(day, 5), AZURE_IP));
    records.push(activityUse(vmB, at(day, 6), AZURE_IP));
    if (day >= 1 && day <= 10) records.push(activityUse(vmB, at(day, 7), ONPREM_IP));
  }
  return records;
}

const MINUTES_TO_MIDNIGHT = 16 * 60; // T0 is 08:00 UTC: at(day, 16 h) is 00:00 UTC of the next calendar day

/** Usual external uses of vmB after activation: three on day 21, two around midnight, one on day 23. */
const usual = [
  activityUse(vmB, at(21, 30), ONPREM_IP),
  activityUse(vmB, at(21, 90), ONPREM_IP),
  activityUse(vmB, at(21, MINUTES_TO_MIDNIGHT - 10), ONPREM_IP), // 23:50 UTC, still the day of at(21)
  activityUse(vmB, at(21, MINUTES_TO_MIDNIGHT + 10), ONPREM_IP), // 00:10 UTC, the next UTC day
  activityUse(vmB, at(22, 60), ONPREM_IP),
  activityUse(vmB, at(23, 60), ONPREM_IP),
];

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const timeOf = (record: Record<string, unknown>): number => Date.parse(String(record['time']).replace(/(\.\d{3})\d+Z$/, '$1Z'));
const byTime = (a: Record<string, unknown>, b: Record<string, unknown>): number => timeOf(a) - timeOf(b);
const after = (alerts: readonly AlertRow[], ms: number): AlertRow[] => alerts.filter((a) => Date.parse(a.EventTime) >= ms);

async function run(mode: UsualExternalMode | undefined, probe: Record<string, unknown>[], options: { batchSize?: number; backend?: MemoryStateBackend } = {}) {
  return replayRecords([...history(), ...probe].sort(byTime), { ...options, settings: mode === undefined ? {} : { usualExternal: mode } });
}

describe('usual external uses: alert mode (the default)', () => {
  it('raises the usual-external Low as a RemoteTokenUse alert, once per 5 days', async () => {
    for (const mode of [undefined, 'alert'] as const) {
      const { alerts } = await run(mode, usual);
      const probed = after(alerts, at(21));
      expect(probed.map((a) => [a.Detector, a.Severity, a.EventTime])).toEqual([['RemoteTokenUse', 'Low', new Date(at(21, 30)).toISOString()]]);
      expect(probed[0]?.Evidence['rule']).toBe('usual-external');
    }
  });
});

describe('usual external uses: exposure mode', () => {
  it('keeps one RemoteTokenUseExposure row per identity and UTC day of event time: the day\'s first use', async () => {
    const { alerts, reports } = await run('exposure', usual);
    const probed = after(alerts, at(21));
    const days = [utcDay(at(21)), utcDay(at(21, MINUTES_TO_MIDNIGHT + 10)), utcDay(at(23))];
    expect(new Set(days).size).toBe(3);
    expect(probed.map((a) => [a.Detector, a.Severity, a.EventTime, a.Evidence['exposureDay']])).toEqual([
      ['RemoteTokenUseExposure', 'Low', new Date(at(21, 30)).toISOString(), days[0]],
      ['RemoteTokenUseExposure', 'Low', new Date(at(21, MINUTES_TO_MIDNIGHT + 10)).toISOString(), days[1]],
      ['RemoteTokenUseExposure', 'Low', new Date(at(23, 60)).toISOString(), days[2]],
    ]);
    // The AlertId comes from the identity and the day alone.
    expect(probed.map((a) => a.AlertId)).toEqual(days.map((day) => alertId(['RemoteTokenUseExposure', TENANT, vmB.objectId, day])));
    expect(probed.every((a) => a.IdentityObjectId === vmB.objectId && a.IPAddress === ONPREM_IP && a.Evidence['rule'] === 'usual-external')).toBe(true);
    expect(probed[0]?.Reason).toMatch(new RegExp(`first such use on ${days[0]} \\(UTC\\)`));
    // The day's other uses (two on day 21, one the next day) are suppressed and counted.
    const suppressed = reports.reduce((n, r) => n + r.detection.suppressed, 0);
    // Against alert mode (1 alert, 5 suppressed), two more of the six uses are rows (3), the rest are counted as before.
    const { reports: alertReports } = await run('alert', usual);
    expect(alertReports.reduce((n, r) => n + r.detection.suppressed, 0) - suppressed).toBe(2);
  });

  it('counts the day\'s later uses in the suppression ledger under the identity-and-day dedup key', async () => {
    const { backend } = await run('exposure', usual, { batchSize: 1 });
    const ledger = [...backend.partitions]
      .filter(([key]) => key.startsWith('sup|'))
      .flatMap(([, p]) => [...p.rows.values()])
      .filter((row) => row['objectId'] === vmB.objectId && Number(row['at']) >= at(21));
    expect(ledger.map((row) => [row['severity'], row['attribute'], row['at']])).toEqual([
      ['Low', `day:${utcDay(at(21))}`, at(21, 90)],
      ['Low', `day:${utcDay(at(21))}`, at(21, MINUTES_TO_MIDNIGHT - 10)],
      ['Low', `day:${utcDay(at(22))}`, at(22, 60)],
    ]);
  });

  it('keeps a use that a stronger rule also judges an alert: unusual IP, unusual ASN, token replay', async () => {
    const token = 'replayed-token-1';
    const probe = [
      activityUse(vmB, at(21, 30), ONPREM_IP_2), // known ASN, new IP: Medium
      activityUse(vmB, at(21, 40), ATTACKER_IP), // new ASN: High
      activityUse(vmB, at(21, 50), AZURE_IP, { token, iatMs: at(21, 45) }), // the token's first use, inside Azure
      activityUse(vmB, at(21, 55), ONPREM_IP, { token, iatMs: at(21, 45) }), // then from the usual on-prem network: a replay
      activityUse(vmB, at(21, 70), ONPREM_IP), // a plain usual external use: the day's exposure row
    ];
    const { alerts } = await run('exposure', probe);
    expect(after(alerts, at(21)).map((a) => [a.Detector, a.Severity, a.Evidence['rule'], a.EventTime])).toEqual([
      ['RemoteTokenUse', 'Medium', 'unusual-ip', new Date(at(21, 30)).toISOString()],
      ['RemoteTokenUse', 'High', 'unusual-asn', new Date(at(21, 40)).toISOString()],
      ['RemoteTokenUse', 'High', 'token-replay', new Date(at(21, 55)).toISOString()],
      ['RemoteTokenUseExposure', 'Low', 'usual-external', new Date(at(21, 70)).toISOString()],
    ]);
  });

  it('keeps the learning period\'s Lows alerts', async () => {
    const { alerts } = await run('exposure', []);
    const lows = alerts.filter((a) => a.IdentityObjectId === vmB.objectId);
    expect(lows.length).toBeGreaterThan(0);
    expect(lows.every((a) => a.Detector === 'RemoteTokenUse' && a.Evidence['rule'] === 'learning')).toBe(true);
  });

  it('gives the same rows on a replay of the same input, whatever the batch size', async () => {
    const whole = await run('exposure', usual);
    const again = await run('exposure', usual);
    const oneByOne = await run('exposure', usual, { batchSize: 1 });
    expect(again.alerts).toEqual(whole.alerts);
    const rows = (alerts: readonly AlertRow[]): string[] => after(alerts, at(21)).map((a) => `${a.AlertId} ${a.EventTime}`);
    expect(rows(oneByOne.alerts)).toEqual(rows(whole.alerts));
    expect(rows(whole.alerts)).toHaveLength(3);
  });

  it('emits the same row again for a redelivered batch, and no new one', async () => {
    const backend = new MemoryStateBackend();
    await run('exposure', [], { backend });
    const first = await replayRecords(usual.slice(0, 2), { backend, settings: { usualExternal: 'exposure' } });
    const redelivered = await replayRecords(usual.slice(0, 2), { backend, settings: { usualExternal: 'exposure' } });
    expect(first.alerts.map((a) => a.AlertId)).toEqual([alertId(['RemoteTokenUseExposure', TENANT, vmB.objectId, utcDay(at(21))])]);
    // The same row (its evidence cites the baseline as the redelivery finds it, which the first delivery refreshed).
    const identityOf = (a: AlertRow): string => `${a.AlertId} ${a.Detector} ${a.EventTime} ${a.Reason}`;
    expect(redelivered.alerts.map(identityOf)).toEqual(first.alerts.map(identityOf));
    expect(redelivered.reports[0]?.detection.reemitted).toBe(1);
  });

  it('decides the day by event time: a later use of a day seen first still leaves one row for that day', async () => {
    const backend = new MemoryStateBackend();
    await run('exposure', [], { backend });
    const late = await replayRecords([usual[1]!], { backend, settings: { usualExternal: 'exposure' } });
    const early = await replayRecords([usual[0]!], { backend, settings: { usualExternal: 'exposure' } });
    expect(late.alerts.map((a) => [a.AlertId, a.EventTime])).toEqual([[alertId(['RemoteTokenUseExposure', TENANT, vmB.objectId, utcDay(at(21))]), new Date(at(21, 90)).toISOString()]]);
    expect(early.alerts).toEqual([]);
    expect(early.reports[0]?.detection.suppressed).toBe(1);
  });

  it('is still a use of the machine for the theft-and-use join: a theft on it within 24 hours raises the join', async () => {
    const { alerts } = await run('exposure', usual.slice(0, 1));
    const row = after(alerts, at(21))[0]!;
    expect(row.Detector).toBe('RemoteTokenUseExposure');
    expect(machineOfAlert(row)).toEqual(machineOfAlert({ ...row, Detector: 'RemoteTokenUse' }));
    const theft: AlertRow = {
      ...EMPTY_ALERT_FIELDS, AlertId: 'theft-1', TimeGenerated: new Date(at(21, 20)).toISOString(), EventTime: new Date(at(21, 20)).toISOString(), Detector: 'TokenTheft',
      AlertName: 'Token requested by a suspicious process', Severity: 'High', AADTenantId: '', HostName: `${vmB.name}.contoso.com`, ProcessName: 'curl',
      Vector: 'TokenEndpoint', Target: 'http://169.254.169.254/metadata/identity/oauth2/token', Reason: 'r', Evidence: {}, Tactic: 'CredentialAccess', Technique: 'T1528',
    };
    const joined = joinTheftAndUse([theft, row], new Map(), { dedupWindowMs: 5 * 86_400_000 });
    expect(joined.alerts.map((a) => [a.Detector, a.Severity, a.Evidence['remoteUseAlertId']])).toEqual([['TheftAndUse', 'High', row.AlertId]]);
  });
});

describe('TOKENWATCH_USUAL_EXTERNAL', () => {
  const BASE = { ...PRODUCTION_ENV, TOKENWATCH_ALERT_SINK: 'log' };

  it('is alert by default and accepts exposure, in any case', () => {
    expect(loadConfig(BASE, noFiles).usualExternal).toBe('alert');
    expect(loadConfig({ ...BASE, TOKENWATCH_USUAL_EXTERNAL: 'exposure' }, noFiles).usualExternal).toBe('exposure');
    expect(loadConfig({ ...BASE, TOKENWATCH_USUAL_EXTERNAL: ' Exposure ' }, noFiles).usualExternal).toBe('exposure');
  });

  it('fails the cold start on any other value, naming the setting', () => {
    expect(() => loadConfig({ ...BASE, TOKENWATCH_USUAL_EXTERNAL: 'daily' }, noFiles)).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE, TOKENWATCH_USUAL_EXTERNAL: 'daily' }, noFiles)).toThrow(/TOKENWATCH_USUAL_EXTERNAL must be alert or exposure, not "daily"/);
  });
});
