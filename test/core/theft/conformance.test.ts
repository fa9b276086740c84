import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEndpointRecord } from '../../../src/core/records/endpoint/parseEndpointRecord';
import type { EndpointParsed } from '../../../src/core/records/endpoint/endpointEvent';
import { detectTheft } from '../../../src/core/theft/detectTheft';
import { DEFAULT_TRUSTED_PROCESSES } from '../../../src/core/theft/defaultTrustedProcesses';
import { splitEndpointOutcomes } from '../../../src/core/theft/theftBatchSummary';

/**
 * Conformance over the real public samples next to the repository (../shared/samples): every record
 * is parsed, ignored by kind or rejected with an expected reason, and the detector raises exactly
 * the alerts the incidents call for.
 */
const SAMPLES = path.resolve(__dirname, '../../../../shared/samples');
const OTRF = path.join(SAMPLES, 'otrf-security-datasets');
const allowlist = { processes: DEFAULT_TRUSTED_PROCESSES, applications: [] };

function ndjson(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

function parseAll(records: readonly unknown[], name: string): EndpointParsed[] {
  return records.map((record, i) => parseEndpointRecord(record, `${name}:${i + 1}`));
}

describe.skipIf(!existsSync(SAMPLES))('conformance over ../shared/samples', () => {
  it('Log4Shell Sysmon: both powershell.exe → 169.254.169.254:80 connections alert; nothing is rejected', () => {
    const outcomes = parseAll(ndjson(path.join(OTRF, 'sysmon_log4shell_cve2021_44228_java_serialized_object_2022-05-13045800.json')), 'sysmon');
    const { events, rejects, ignored } = splitEndpointOutcomes(outcomes);
    expect(rejects).toEqual([]);
    expect(events.length + Object.values(ignored).reduce((a, b) => a + b, 0)).toBe(487);
    expect(ignored['sysmon.event-12']).toBe(292);

    const { alerts } = detectTheft(events, new Map(), { allowlist });
    const imds = alerts.filter((a) => a.Target === '169.254.169.254:80');
    expect(imds).toHaveLength(1); // two connections, one host + program + target: the second is suppressed by dedup
    expect(imds[0]).toMatchObject({ Detector: 'TokenTheft', Vector: 'TokenEndpoint', Severity: 'Medium', ProcessName: 'powershell.exe', HostName: 'WORKSTATION5' });
    expect(imds[0]?.Reason).toMatch(/no token path/);
    // Each connection alerts on its own (no shared state): both records are detections.
    for (const event of events.filter((e) => e.network?.destinationIp === '169.254.169.254')) {
      expect(detectTheft([event], new Map(), { allowlist }).alerts).toHaveLength(1);
    }
    expect(events.filter((e) => e.network?.destinationIp === '169.254.169.254')).toHaveLength(2);
  });

  it('Log4Shell Security auditing: both 5156 powershell.exe connections alert', () => {
    const outcomes = parseAll(ndjson(path.join(OTRF, 'securityauditing_log4shell_cve2021_44228_java_serialized_object_2022-05-13045400.json')), 'security');
    const { events, rejects } = splitEndpointOutcomes(outcomes);
    expect(rejects).toEqual([]);
    const imds = events.filter((e) => e.network?.destinationIp === '169.254.169.254');
    expect(imds).toHaveLength(2);
    for (const event of imds) {
      expect(event.process.pathKey).toBe('?:/windows/system32/windowspowershell/v1.0/powershell.exe');
      const { alerts } = detectTheft([event], new Map(), { allowlist });
      expect(alerts.map((a) => [a.Severity, a.Target])).toEqual([['Medium', '169.254.169.254:80']]);
    }
  });

  it('covenant: the 28 Network Watcher and 2 guest agent 5156 connections do not alert', () => {
    const outcomes = parseAll(ndjson(path.join(OTRF, 'covenant_sharpsc_query_dcerpc_smb_svcctl_2020-08-06012009.json')), 'covenant');
    const { events, rejects } = splitEndpointOutcomes(outcomes);
    expect(rejects).toEqual([]);
    const imds = events.filter((e) => e.network?.destinationIp === '169.254.169.254');
    const byName = new Map<string, number>();
    for (const e of imds) byName.set(e.process.name, (byName.get(e.process.name) ?? 0) + 1);
    expect(Object.fromEntries(byName)).toEqual({ 'networkwatcheragent.exe': 28, 'windowsazureguestagent.exe': 2 });
    const result = detectTheft(events, new Map(), { allowlist });
    expect(result.alerts.filter((a) => a.Vector === 'TokenEndpoint')).toEqual([]);
    expect(result.summary.trusted).toBe(30);
  });

  it('MDE streaming and Elastic Defend samples parse without rejects and raise nothing', () => {
    const mde = parseAll(ndjson(path.join(SAMPLES, 'elastic-integrations-m365_defender/test-device.log.subset.json')), 'mde');
    const ecs = parseAll(
      ['network', 'file'].map((k) => JSON.parse(readFileSync(path.join(SAMPLES, `elastic-endpoint-package/${k}/sample_event.json`), 'utf8')) as unknown),
      'ecs',
    );
    const { events, rejects, ignored } = splitEndpointOutcomes([...mde, ...ecs]);
    expect(rejects).toEqual([]);
    expect(ignored).toEqual({ 'mde.DeviceNetworkEvents.NetworkSignatureInspected': 1 });
    expect(events.map((e) => `${e.source.format}/${e.kind}/${e.process.name}`)).toEqual([
      'mde-streaming/file/WaAppAgent.exe',
      'mde-streaming/network/msedgewebview2.exe',
      'ecs/network/GCEWindowsAgent.exe',
      'ecs/file/winlogbeat.exe',
    ]);
    expect(detectTheft(events, new Map(), { allowlist }).alerts).toEqual([]);
  });

  it('raw auditd lines are rejected as an unsupported format, each one counted', () => {
    const lines = readFileSync(path.join(SAMPLES, 'msticpy/auditd_log.txt'), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
    const { rejects } = splitEndpointOutcomes(parseAll(lines, 'auditd'));
    expect(rejects).toHaveLength(lines.length);
    expect(new Set(rejects.map((r) => r.reason))).toEqual(new Set(['endpoint.auditd-raw-unsupported']));
  });
});
