import { beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointRecord } from '../../src/core/records/endpoint/parseEndpointRecord';
import { generateEndpointTelemetry, type EndpointTelemetry, type PlantedTheft } from '../../src/demo/endpointTelemetry';

type Json = Record<string, unknown>;
const TIME_7 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const TIME_3 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let telemetry: EndpointTelemetry;
let records: Json[];

beforeAll(() => {
  telemetry = generateEndpointTelemetry();
  records = telemetry.bodies.flatMap((b) => b.body.records as Json[]);
});

const at = (r: Json, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], r);
const formatOf = (r: Json): string =>
  typeof r['category'] === 'string' ? 'mde' : r['Provider'] === 'Microsoft-Windows-Sysmon' ? 'sysmon' : at(r, 'agent.type') === 'endpoint' ? 'elastic-defend' : 'auditd-manager';
const eventMs = (r: Json): number => {
  switch (formatOf(r)) {
    case 'mde':
      return Date.parse(String(at(r, 'properties.Timestamp')));
    case 'sysmon':
      return Date.parse(String(at(r, 'EventData.UtcTime')));
    default:
      return Date.parse(String(r['@timestamp']));
  }
};
const processPathOf = (r: Json): string => {
  switch (formatOf(r)) {
    case 'mde': {
      const p = r['properties'] as Json;
      return String(r['category'] === 'AdvancedHunting-DeviceProcessEvents' ? p['FolderPath'] : p['InitiatingProcessFolderPath']);
    }
    case 'sysmon':
      return String(at(r, 'EventData.Image'));
    default:
      return String(at(r, 'process.executable'));
  }
};
const hostOf = (r: Json): string => String(at(r, 'properties.DeviceName') ?? r['Computer'] ?? at(r, 'host.name'));

describe('generateEndpointTelemetry: size, determinism, order', () => {
  it('is byte-identical for the same seed and different for another', () => {
    expect(JSON.stringify(generateEndpointTelemetry())).toBe(JSON.stringify(telemetry));
    expect(JSON.stringify(generateEndpointTelemetry({ seed: 3 }).bodies)).not.toBe(JSON.stringify(telemetry.bodies));
  });

  it('covers every host kind, every format and every requested day', () => {
    expect(telemetry.hosts).toHaveLength(12);
    expect(new Set(telemetry.hosts.map((h) => h.kind))).toEqual(new Set(['windows-mde', 'windows-sysmon', 'linux-vm', 'aks-node']));
    expect(new Set(records.map(formatOf))).toEqual(new Set(['mde', 'sysmon', 'elastic-defend', 'auditd-manager']));
    const days = new Set(records.map((r) => new Date(eventMs(r)).toISOString().slice(0, 10)));
    expect(days.size).toBe(7);
    const small = generateEndpointTelemetry({ days: 2, hosts: 4 });
    expect(small.hosts).toHaveLength(4);
    expect(small.planted.filter((p) => p.kind === 'theft').length).toBe(telemetry.planted.filter((p) => p.kind === 'theft').length);
  });

  it('orders records by event time and names bodies in the same order', () => {
    const names = telemetry.bodies.map((b) => b.name);
    expect([...names].sort()).toEqual(names);
    for (const name of names) expect(name).toMatch(/^endpoint-day-\d{3}-part-\d{2}\.json$/);
    for (let i = 1; i < records.length; i++) expect(eventMs(records[i]!)).toBeGreaterThanOrEqual(eventMs(records[i - 1]!));
    for (const body of telemetry.bodies) expect(body.body.records.length).toBeLessThanOrEqual(300);
  });

  it.each([[{ hosts: 3 }, /hosts/], [{ days: 0 }, /days/], [{ start: '2026/09/01' }, /start/]])('rejects %o', (options, message) => {
    expect(() => generateEndpointTelemetry(options)).toThrow(message);
  });
});

describe('generateEndpointTelemetry: record shapes', () => {
  it('MDE records are Streaming API envelopes around Advanced Hunting rows', () => {
    const mde = records.filter((r) => formatOf(r) === 'mde');
    expect(mde.length).toBeGreaterThan(300);
    for (const r of mde) {
      expect(r).toMatchObject({ Tenant: 'DefaultTenant', operationName: 'Publish' });
      expect(String(r['category'])).toMatch(/^AdvancedHunting-Device(Network|Process|File)Events$/);
      expect(String(r['time'])).toMatch(TIME_7);
      const p = r['properties'] as Json;
      expect(String(p['Timestamp'])).toMatch(TIME_7);
      expect(Date.parse(String(r['time']))).toBeGreaterThan(Date.parse(String(p['Timestamp'])));
      expect(String(p['DeviceId'])).toMatch(/^[0-9a-f]{40}$/);
      expect(typeof p['ReportId']).toBe('number');
      if (r['category'] === 'AdvancedHunting-DeviceNetworkEvents') {
        expect(p).toMatchObject({ ActionType: 'ConnectionSuccess', Protocol: 'Tcp' });
        expect(typeof p['RemoteIP']).toBe('string');
        expect(typeof p['RemotePort']).toBe('number');
        expect(typeof p['InitiatingProcessFolderPath']).toBe('string');
        expect(typeof p['InitiatingProcessCommandLine']).toBe('string');
      } else if (r['category'] === 'AdvancedHunting-DeviceProcessEvents') {
        expect(p['ActionType']).toBe('ProcessCreated');
        expect(typeof p['ProcessCommandLine']).toBe('string');
        expect(String(p['FolderPath']).toLowerCase().endsWith(String(p['FileName']).toLowerCase())).toBe(true);
      } else {
        expect(['FileCreated', 'FileModified']).toContain(p['ActionType']);
        expect(String(p['FolderPath']).endsWith(String(p['FileName']))).toBe(true);
      }
    }
  });

  it('Sysmon records are WindowsEvent rows with the fields of events 1, 3 and 11', () => {
    const sysmon = records.filter((r) => formatOf(r) === 'sysmon');
    expect(new Set(sysmon.map((r) => r['EventID']))).toEqual(new Set([1, 3, 11]));
    const required: Record<number, string[]> = {
      1: ['CommandLine', 'ParentImage', 'User', 'Hashes', 'CurrentDirectory'],
      3: ['DestinationIp', 'DestinationPort', 'Initiated', 'SourceIp', 'User'],
      11: ['TargetFilename', 'CreationUtcTime'],
    };
    for (const r of sysmon) {
      expect(r).toMatchObject({ Type: 'WindowsEvent', Channel: 'Microsoft-Windows-Sysmon/Operational', EventLevel: 4 });
      expect(String(r['_ResourceId'])).toMatch(/^\/subscriptions\/.+\/providers\/microsoft\.compute\/virtualmachines\/.+$/);
      const data = r['EventData'] as Json;
      expect(String(data['UtcTime'])).toMatch(TIME_7);
      expect(typeof data['Image']).toBe('string');
      for (const key of required[Number(r['EventID'])]!) expect(typeof data[key], `${key} of event ${String(r['EventID'])}`).toBe('string');
    }
  });

  it('ECS records carry the fields the Elastic rules key on', () => {
    const ecs = records.filter((r) => formatOf(r) === 'elastic-defend' || formatOf(r) === 'auditd-manager');
    for (const r of ecs) {
      expect(String(r['@timestamp'])).toMatch(TIME_3);
      expect(Array.isArray(at(r, 'event.category'))).toBe(true);
      expect(String(at(r, 'host.id'))).toMatch(/^[0-9a-f]{32}$/);
      expect(at(r, 'host.os.type')).toBe('linux');
      expect(String(at(r, 'process.executable'))).toMatch(/^\//);
      const action = at(r, 'event.action');
      if (action === 'opened-file') {
        expect(at(r, 'event.category')).toEqual(['file']);
        expect(String(at(r, 'file.path'))).toMatch(/^\//);
        expect(at(r, 'auditd.data.syscall')).toBe('openat');
        expect(typeof at(r, 'process.title')).toBe('string');
      } else if (action === 'connected-to' || action === 'connection_attempted') {
        expect(at(r, 'event.category')).toEqual(['network']);
        expect(typeof at(r, 'destination.ip')).toBe('string');
        expect(typeof at(r, 'destination.port')).toBe('number');
      } else {
        expect(action).toBe('exec');
        expect(Array.isArray(at(r, 'process.args'))).toBe(true);
      }
    }
  });

  it('every record is understood by the project’s endpoint parsers', () => {
    const outcomes = records.map((r, i) => parseEndpointRecord(r, `record ${i}`));
    const rejected = outcomes.filter((o) => o.ok === false);
    expect(rejected).toEqual([]);
    expect(outcomes.filter((o) => o.ok === true).length).toBe(records.length);
  });
});

describe('generateEndpointTelemetry: planted thefts and benign controls', () => {
  const thefts = () => telemetry.planted.filter((p) => p.kind === 'theft');
  const recordOf = (p: PlantedTheft): Json => {
    const hits = records.filter((r) => hostOf(r) === p.hostName && processPathOf(r).toLowerCase() === p.processPath.toLowerCase() && eventMs(r) === Date.parse(p.time));
    expect(hits, `${p.id} record`).toHaveLength(1);
    return hits[0]!;
  };

  it('lists the required thefts, all three vectors, in every format', () => {
    const list = thefts();
    expect(list.length).toBeGreaterThanOrEqual(8);
    expect(new Set(list.map((p) => p.vector))).toEqual(new Set(['TokenEndpoint', 'ServiceAccountToken', 'TokenCache']));
    expect(new Set(list.map((p) => p.format))).toEqual(new Set(['mde', 'sysmon', 'elastic-defend', 'auditd-manager']));
    const has = (predicate: (p: PlantedTheft) => boolean, what: string) => expect(list.some(predicate), what).toBe(true);
    has((p) => /powershell\.exe$/i.test(p.processPath) && p.commandLine.includes('Invoke-RestMethod') && p.target.includes('169.254.169.254/metadata/identity/oauth2/token'), 'PowerShell to IMDS');
    has((p) => /curl\.exe$/i.test(p.processPath) && p.target.startsWith('http://0xa9fea9fe/metadata/identity/oauth2/token'), 'curl to the hex-obfuscated address');
    has((p) => p.processPath.startsWith('/tmp/') && /python/.test(p.processPath) && p.target === '/var/run/secrets/kubernetes.io/serviceaccount/token', 'python from /tmp reading the SA token');
    has((p) => p.target.endsWith('/.azure/msal_token_cache.json') && !p.processPath.startsWith('/opt/az/'), 'a non-agent reading msal_token_cache.json');
    has((p) => p.processPath === '/tmp/waagent' && p.target === '169.254.169.254:80', 'a fake waagent in /tmp calling IMDS');
    for (const p of list) expect(p.expectAlert).toBe(true);
  });

  it('every planted entry is one record, and the parser reads it as the process and target named', () => {
    for (const p of telemetry.planted) {
      const parsed = parseEndpointRecord(recordOf(p), p.id);
      expect(parsed.ok, p.id).toBe(true);
      if (parsed.ok !== true) continue;
      const event = parsed.value;
      expect(event.hostName).toBe(p.hostName);
      expect(event.process.path.toLowerCase()).toBe(p.processPath.toLowerCase());
      if (event.network !== null) expect(`${event.network.destinationIp}:${event.network.destinationPort}`).toBe(p.target);
      else if (event.file !== null) expect(event.file.path).toBe(p.target);
      else expect(event.process.commandLine).toContain(p.target);
    }
  });

  it('benign agents are present every day and listed once each as controls that must not alert', () => {
    const controls = telemetry.planted.filter((p) => p.kind === 'benign');
    expect(controls.length).toBeGreaterThanOrEqual(6);
    expect(new Set(controls.map((p) => p.act)).size).toBe(controls.length);
    for (const c of controls) expect(c.expectAlert).toBe(false);
    const paths = [
      'C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\WindowsAzureGuestAgent.exe',
      'C:\\Packages\\Plugins\\Microsoft.Azure.NetworkWatcher.NetworkWatcherAgentWindows\\1.4.2798.3\\NetworkWatcherAgent\\NetworkWatcherAgent.exe',
      '/usr/local/bin/kubelet',
      '/opt/az/bin/python3',
    ];
    for (const path of paths) {
      const days = new Set(records.filter((r) => processPathOf(r).toLowerCase() === path.toLowerCase()).map((r) => new Date(eventMs(r)).toISOString().slice(0, 10)));
      expect(days.size, path).toBe(7);
    }
    expect(records.filter((r) => String(at(r, 'process.title')).includes('/usr/sbin/waagent')).length).toBeGreaterThan(7 * 12);
  });
});
