import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultAsnDataFile } from '../../src/adapters/asnData';
import { checkStolenAndUsed, runDemo } from '../../src/cli/demo';
import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow } from '../../src/core/alerts/alertRow';
import type { PlantedTheft } from '../../src/demo/endpointTelemetry';
import type { PlantedIncident } from '../../src/demo/stolenAndUsed';
import type { PlantedAttack } from '../../src/demo/tenant';

const THEFT_TIME = '2026-09-07T20:51:48.2201234Z';
const USE_TIME = '2026-09-07T22:02:40.5551234Z';
const CONTROL_TIME = '2026-09-07T17:51:48.0001234Z';
const OTHER_USE_TIME = '2026-09-06T13:37:33.1231234Z';
const iso = (t: string): string => new Date(Date.parse(t.replace(/(\.\d{3})\d+Z$/, '$1Z'))).toISOString();

const theft = (act: string, host: string, time: string): PlantedTheft => ({
  id: 'T9', act, kind: 'theft', expectAlert: true, vector: 'TokenEndpoint', format: 'mde', recordType: 'AdvancedHunting-DeviceProcessEvents',
  hostName: host, hostId: 'a'.repeat(40), time, processPath: 'C:\\Windows\\System32\\curl.exe', commandLine: 'curl.exe', account: 'contoso\\svc-app',
  target: 'http://169.254.169.254/metadata/identity/oauth2/token', description: act,
});
const use = (id: string, time: string, ip: string): PlantedAttack => ({
  id, kind: 'replay-during-learning', description: id, identityName: 'vm', identityResourceId: '', principalId: '', time, ip, asn: 20473, asOrganization: 'Vultr',
  category: 'Administrative', operation: 'listKeys', tokenId: '', tokenHash: '', tokenIssuedAt: '', expectedSeverity: 'High', expectAlert: true, duplicateOf: null,
});
const alert = (fields: Partial<AlertRow> & Pick<AlertRow, 'AlertId' | 'Detector' | 'EventTime'>): AlertRow => ({
  ...EMPTY_ALERT_FIELDS, TimeGenerated: fields.EventTime, AlertName: '', Severity: 'High', AADTenantId: '', Reason: '', Evidence: {}, ...ATTACK, ...fields,
});
const join = (id: string, theftAlertId: string, remoteUseAlertId: string, machineLink = 'host-name'): AlertRow =>
  alert({ AlertId: id, Detector: 'TheftAndUse', EventTime: iso(USE_TIME), Evidence: { theftAlertId, remoteUseAlertId, machineLink } });

const THEFTS = [theft('intruder-curl-imds', 'vm-contoso-app-01.contoso.com', THEFT_TIME), theft('admin-powershell-imds', 'vm-contoso-jump-01.contoso.com', CONTROL_TIME)];
const USES = [use('RPL1', USE_TIME, '45.76.2.236'), use('L5', OTHER_USE_TIME, '188.195.95.63')];
const INCIDENTS: PlantedIncident[] = [
  { id: 'SU1', kind: 'stolen-and-used', expectIncident: true, machineName: 'vm-contoso-app-01', machineResourceId: '', theftAct: 'intruder-curl-imds', useStory: 'RPL1', expectedLink: 'host-name', description: 'stolen and used' },
  { id: 'SU-C1', kind: 'theft-only', expectIncident: false, machineName: 'vm-contoso-jump-01', machineResourceId: '', theftAct: 'admin-powershell-imds', useStory: null, expectedLink: null, description: 'theft only' },
  { id: 'SU-C2', kind: 'use-only', expectIncident: false, machineName: 'vm-contoso-build-01', machineResourceId: '', theftAct: null, useStory: 'L5', expectedLink: null, description: 'use only' },
];
const HALVES: AlertRow[] = [
  alert({ AlertId: 'theft-1', Detector: 'TokenTheft', EventTime: iso(THEFT_TIME), HostName: 'vm-contoso-app-01.contoso.com' }),
  alert({ AlertId: 'use-1', Detector: 'RemoteTokenUse', EventTime: iso(USE_TIME), IPAddress: '45.76.2.236' }),
  alert({ AlertId: 'control-1', Detector: 'TokenTheft', EventTime: iso(CONTROL_TIME), HostName: 'vm-contoso-jump-01.contoso.com' }),
  alert({ AlertId: 'other-use-1', Detector: 'RemoteTokenUse', EventTime: iso(OTHER_USE_TIME), IPAddress: '188.195.95.63', Severity: 'Low' }),
];
const check = (alerts: AlertRow[]) => checkStolenAndUsed(INCIDENTS, THEFTS, USES, alerts);

describe('checkStolenAndUsed', () => {
  it('passes one incident naming both planted halves and controls named by none', () => {
    const result = check([...HALVES, join('join-1', 'theft-1', 'use-1')]);
    expect(result).toMatchObject({ incidents: 1, incidentsMatched: 1, controls: 2, controlsMatched: 2, unexpected: 0 });
    expect(result.lines).toHaveLength(3);
    expect(result.lines[0]).toMatch(/^ {2}ok {3}SU1 .*expected one incident \(link host-name\), got High incident join-1 \(link host-name\)/);
  });

  it('misses the incident when no join is raised, or it links another way, or it is raised twice', () => {
    expect(check(HALVES)).toMatchObject({ incidentsMatched: 0, controlsMatched: 2, unexpected: 0 });
    expect(check(HALVES).lines[0]).toMatch(/^ {2}MISS SU1 .*got no incident/);
    expect(check([...HALVES, join('join-1', 'theft-1', 'use-1', 'azure-resource-id')])).toMatchObject({ incidentsMatched: 0 });
    expect(check([...HALVES, join('join-1', 'theft-1', 'use-1'), join('join-2', 'theft-1', 'use-1')])).toMatchObject({ incidentsMatched: 0, unexpected: 0 });
  });

  it('misses the incident when a half is missing, and says which', () => {
    const result = check([...HALVES.filter((a) => a.AlertId !== 'use-1'), join('join-1', 'theft-1', 'use-1')]);
    expect(result.incidentsMatched).toBe(0);
    expect(result.lines[0]).toContain('(no remote-use alert)');
  });

  it('fails a control named by a join, and a control whose own alert is missing', () => {
    const joined = check([...HALVES, join('join-1', 'theft-1', 'use-1'), join('join-2', 'control-1', 'use-1')]);
    expect(joined).toMatchObject({ controlsMatched: 1, unexpected: 0 });
    expect(joined.lines[1]).toMatch(/^ {2}MISS SU-C1 /);
    const silent = check([...HALVES.filter((a) => a.AlertId !== 'other-use-1'), join('join-1', 'theft-1', 'use-1')]);
    expect(silent.controlsMatched).toBe(1);
    expect(silent.lines[2]).toMatch(/^ {2}MISS SU-C2 .*\(no remote-use alert\)/);
  });

  it('counts a join no planted incident accounts for as unexpected', () => {
    const result = check([...HALVES, join('join-1', 'theft-1', 'use-1'), join('stray', 'elsewhere-theft', 'elsewhere-use')]);
    expect(result).toMatchObject({ incidentsMatched: 1, controlsMatched: 2, unexpected: 1 });
    expect(result.lines.at(-1)).toMatch(/^ {2}MISS unexpected/);
  });
});

describe.skipIf(!existsSync(defaultAsnDataFile()))('runDemo', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints the stolen-and-used incident and exits 0 when every story behaved as planted', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const code = await runDemo({ store: 'memory' });
    vi.restoreAllMocks();
    const text = out.join('');
    expect(code).toBe(0);
    expect(text).toContain('stolen-and-used incidents: 1 of 1 behaved as planted; controls without an incident: 2 of 2; unexpected incidents: 0');
    expect(text).toMatch(/planted remote-use stories: (\d+) of \1 behaved as planted/);
    expect(text).toMatch(/planted endpoint acts \(thefts and benign controls\): (\d+) of \1 behaved as planted/);
    expect(text).toMatch(/^ {2}ok {3}SU1 +expected one incident \(link host-name\), got High incident [0-9a-f]{8} \(link host-name\)/m);
    // The alert table shows the incident's row, and the summary counts it.
    expect(text).toMatch(/^High +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +Stolen\+used +vm-contoso-app-01\.conto/m);
    // The most severe first: every High row before the first Medium, every Medium before the first Low.
    const severities = text.split('\n').flatMap((line) => /^(High|Medium|Low) +\d{4}-/.exec(line)?.[1] ?? []);
    expect(severities.length).toBeGreaterThan(10);
    expect(severities).toEqual([...severities].sort((a, b) => ['High', 'Medium', 'Low'].indexOf(a) - ['High', 'Medium', 'Low'].indexOf(b)));
    expect(text).toContain('TheftAndUse 1');
  }, 120_000);
});
