import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeEndpointRecord, parseEndpointRecord } from '../../../../src/core/records/endpoint/parseEndpointRecord';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/endpoint');
function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as unknown;
}

describe('a Log Analytics row of a Defender Device* table (as Sentinel and az monitor export it)', () => {
  /** The Streaming API fixture's columns at the top level, with the workspace's Type, TenantId and TimeGenerated. */
  function row(name: string, type: string): Record<string, unknown> {
    const streamed = fixture(name) as { properties: Record<string, unknown>; tenantId: string };
    return { TenantId: streamed.tenantId, TimeGenerated: '2026-03-01T10:00:07.0000000Z', ...streamed.properties, Type: type, SourceSystem: '' };
  }

  it.each([
    ['mde/network-curl-imds-token', 'DeviceNetworkEvents', 'network'],
    ['mde/process-cat-serviceaccount-token', 'DeviceProcessEvents', 'process'],
    ['mde/file-msal-cache-copied', 'DeviceFileEvents', 'file'],
  ])('%s as a %s row is the same event as streamed', (name, type, kind) => {
    const record = row(name, type);
    expect(looksLikeEndpointRecord(record)).toBe(true);
    const parsed = parseEndpointRecord(record, name);
    const streamed = parseEndpointRecord(fixture(name), name);
    if (parsed.ok !== true || streamed.ok !== true) throw new Error(`expected events, got ${JSON.stringify(parsed)}`);
    expect(parsed.value.source.format).toBe('mde-log-analytics');
    expect({ ...parsed.value, source: undefined }).toEqual({ ...streamed.value, source: undefined });
    expect(parsed.value.kind).toBe(kind);
  });

  it('Sysmon for Linux through Sentinel\'s Syslog table is the same event as its event XML converted to JSON', () => {
    for (const name of ['event1-curl-imds-token', 'event3-tmp-binary-imds']) {
      const [syslog, json] = [parseEndpointRecord(fixture(`sysmon-linux-syslog/${name}`), name), parseEndpointRecord(fixture(`sysmon-linux/${name}`), name)];
      if (syslog.ok !== true || json.ok !== true) throw new Error(JSON.stringify([syslog, json]));
      // The row adds what the workspace knows: the tenant and the machine's Azure resource.
      expect({ ...syslog.value, tenantId: '', hostId: '', source: undefined }).toEqual({ ...json.value, tenantId: '', hostId: '', source: undefined });
      expect(syslog.value.hostId).toBe('/subscriptions/00000000-0000-4000-8000-0000000000a1/resourcegroups/rg-linux/providers/microsoft.compute/virtualmachines/lnx-21');
      expect(syslog.value.source.recordId).toBe(json.value.source.recordId);
    }
    // Another program's syslog line is no endpoint record.
    expect(looksLikeEndpointRecord({ Type: 'Syslog', Computer: 'lnx-21', ProcessName: 'sshd', SyslogMessage: 'Accepted publickey for azureuser from 192.0.2.7 port 50022 ssh2' })).toBe(false);
  });

  it('a CloudProcessEvents row is a process in its container, known by container, process id and time in either shape', () => {
    const row = fixture('cloud-process-events/pod-cat-workload-identity-token-row') as Record<string, unknown>;
    const { TenantId, TimeGenerated: _t, Type: _type, SourceSystem: _s, ...columns } = row;
    const streamed = { Tenant: 'DefaultTenant', category: 'AdvancedHunting-CloudProcessEvents', operationName: 'Publish', properties: columns, tenantId: TenantId, time: '2026-03-02T09:20:50Z' };
    const [fromRow, fromStream] = [parseEndpointRecord(row, 'row'), parseEndpointRecord(streamed, 'streamed')];
    if (fromRow.ok !== true || fromStream.ok !== true) throw new Error(`expected events, got ${JSON.stringify([fromRow, fromStream])}`);
    expect(fromRow.value.process.containerId).toBe('3f1c8b2a9d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a');
    expect(fromRow.value.process.workingDirectory).toBe('/');
    expect(fromRow.value.hostId).toBe('/subscriptions/00000000-0000-4000-8000-0000000000a1/resourceGroups/rg-payments/providers/Microsoft.ContainerService/managedClusters/aks-payments|payments/api-6c9f7d8b5-q2w8r');
    expect(fromRow.value.source.recordId).toBe(fromStream.value.source.recordId);
    expect(parseEndpointRecord({ ...row, ActionType: 'ProcessTerminated' }, 'r')).toMatchObject({ ok: 'ignored', kind: 'mde.CloudProcessEvents.ProcessTerminated' });
    // Neither a pod nor a container named: not a row of this table.
    expect(looksLikeEndpointRecord({ Type: 'CloudProcessEvents', TimeGenerated: '2026-03-02T09:20:55Z' })).toBe(false);
  });

  it('another Device* table is ignored by kind, and a row without a device is not Defender', () => {
    expect(parseEndpointRecord({ Type: 'DeviceRegistryEvents', DeviceName: 'web-01', TimeGenerated: '2026-03-01T10:00:00Z' }, 'r')).toMatchObject({ ok: 'ignored', kind: 'mde.DeviceRegistryEvents' });
    expect(looksLikeEndpointRecord({ Type: 'DeviceProcessEvents', TimeGenerated: '2026-03-01T10:00:00Z' })).toBe(false);
  });
});

describe('parseEndpointRecord: one fixture per format and case', () => {
  it.each([
    // [fixture, format, kind, host, process path key, target (network ip / url / file path)]
    ['mde/network-curl-imds-token', 'mde-streaming', 'network', 'web-01.contoso.com', '/usr/bin/curl', '169.254.169.254'],
    ['mde/network-http-inspected-hex-address', 'mde-streaming', 'network', 'web-01.contoso.com', '/usr/bin/python3.11', 'http://0xa9fea9fe/latest/meta-data/iam/security-credentials/contoso-role'],
    ['mde/file-msal-cache-copied', 'mde-streaming', 'file', 'dev-07.contoso.com', '?:/windows/system32/windowspowershell/v1.0/powershell.exe', 'C:\\Users\\alice\\AppData\\Local\\Temp\\msal_token_cache.json'],
    ['mde/process-cat-serviceaccount-token', 'mde-streaming', 'process', 'aks-nodepool1-12345678-vmss000000', '/usr/bin/cat', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token'],
    ['sysmon-windowsevent/event3-public-folder-imds', 'sysmon', 'network', 'app-02.contoso.com', '?:/users/public/svchost.exe', '169.254.169.254'],
    ['sysmon-flat/event3-public-folder-imds', 'sysmon', 'network', 'app-03.contoso.com', '?:/users/public/svchost.exe', '169.254.169.254'],
    ['sysmon-windowsevent/event1-powershell-mapped-ipv6-token', 'sysmon', 'process', 'app-02.contoso.com', '?:/windows/system32/windowspowershell/v1.0/powershell.exe', 'powershell.exe -NoP'],
    ['sysmon-flat/event11-downloaded-tool-writes-azure-cache', 'sysmon', 'file', 'app-03.contoso.com', '?:/users/bob/downloads/tool.exe', 'C:\\Users\\bob\\.azure\\accessTokens.json'],
    ['security-5156-securityevent/public-folder-binary-imds', 'windows-security-5156', 'network', 'app-04.contoso.com', '?:/users/public/svchost.exe', '169.254.169.254'],
    ['security-5156-flat/public-folder-binary-imds', 'windows-security-5156', 'network', 'app-05.contoso.com', '?:/users/public/svchost.exe', '169.254.169.254'],
    ['ecs/network-wget-arc-token', 'ecs', 'network', 'lnx-01.contoso.com', '/usr/bin/wget', '127.0.0.1'],
    ['ecs/network-custom-app-first-time', 'ecs', 'network', 'lnx-01.contoso.com', '/opt/contoso/billing/bin/billing-api', 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://storage.azure.com/'],
    ['ecs/process-curl-gcp-token', 'ecs', 'process', 'lnx-01.contoso.com', '/usr/bin/curl', 'curl -H "Metadata-Flavor: Google"'],
    ['ecs/file-aws-credentials-by-tmp-binary', 'ecs', 'file', 'lnx-01.contoso.com', '/dev/shm/.k/kworkerd', '/home/azureuser/.aws/credentials'],
    ['ecs-auditd/opened-file-workload-identity-token-by-cat', 'ecs', 'file', 'aks-nodepool1-12345678-vmss000001', '/usr/bin/cat', '/var/run/secrets/azure/tokens/azure-identity-token'],
    // EvtxECmd --json: the event data is the XML as a JSON string in `Payload`.
    ['sysmon-evtxecmd/event1-curl-imds-token', 'sysmon', 'process', 'wks-11.contoso.com', '?:/windows/system32/curl.exe', 'curl.exe -s -H Metadata:true'],
    // Winlogbeat's sysmon module moves the event data to ECS fields and keeps `winlog`.
    ['sysmon-winlogbeat-module/event1-curl-imds-token', 'ecs', 'process', 'wks-12.contoso.com', '?:/windows/system32/curl.exe', 'curl.exe -s -H Metadata:true'],
    ['sysmon-winlogbeat-module/event3-public-folder-imds', 'ecs', 'network', 'wks-12.contoso.com', '?:/users/public/svchost.exe', '169.254.169.254'],
    // Sysmon for Linux: the same events under provider Linux-Sysmon; Elastic's integration as ECS beside `winlog`.
    ['sysmon-linux/event1-curl-imds-token', 'sysmon', 'process', 'lnx-21', '/usr/bin/curl', 'curl -s -H Metadata:true'],
    ['sysmon-linux/event3-tmp-binary-imds', 'sysmon', 'network', 'lnx-21', '/tmp/.x/kthreadd', '169.254.169.254'],
    // Sentinel's Syslog table: the event XML is the SyslogMessage of a row from the sysmon process.
    ['sysmon-linux-syslog/event1-curl-imds-token', 'sysmon', 'process', 'lnx-21', '/usr/bin/curl', 'curl -s -H Metadata:true'],
    ['sysmon-linux-syslog/event3-tmp-binary-imds', 'sysmon', 'network', 'lnx-21', '/tmp/.x/kthreadd', '169.254.169.254'],
    ['sysmon-linux-elastic/event1-curl-imds-token', 'ecs', 'process', 'lnx-22', '/usr/bin/curl', 'curl -s -H Metadata:true'],
    // The whole event XML converted to JSON (xmltodict, xml2js): `Event.System` and `Event.EventData`.
    ['sysmon-event-xml-json/linux-event1-curl-imds-token', 'sysmon', 'process', 'aks-nodepool1-27384615-vmss000000', '/usr/bin/curl', 'curl -s -H Metadata:true'],
    ['sysmon-event-xml-json/windows-event3-public-folder-imds', 'sysmon', 'network', 'app-06.contoso.com', '?:/users/public/svchost.exe', '169.254.169.254'],
    // Defender for Containers' CloudProcessEvents, streamed and as a Log Analytics row: the pod is the host.
    ['cloud-process-events/pod-curl-imds-token', 'mde-streaming', 'process', 'payments/api-6c9f7d8b5-q2w8r', '/usr/bin/curl', 'curl -s -H Metadata:true'],
    ['cloud-process-events/pod-cat-workload-identity-token-row', 'mde-log-analytics', 'process', 'payments/api-6c9f7d8b5-q2w8r', '/bin/cat', 'cat /var/run/secrets/azure/tokens/azure-identity-token'],
  ])('%s', (name, format, kind, host, pathKey, target) => {
    const record = fixture(name);
    expect(looksLikeEndpointRecord(record)).toBe(true);
    const parsed = parseEndpointRecord(record, name);
    if (parsed.ok !== true) throw new Error(`expected an event, got ${JSON.stringify(parsed)}`);
    const e = parsed.value;
    expect([e.source.format, e.kind, e.hostName, e.process.pathKey]).toEqual([format, kind, host, pathKey]);
    const seen = e.kind === 'network' ? (e.network?.url || e.network?.destinationIp) : e.kind === 'file' ? e.file?.path : e.process.commandLine;
    expect(seen?.startsWith(target)).toBe(true);
    expect(Number.isInteger(e.timeMs) && e.timeMs > Date.parse('2020-01-01T00:00:00Z')).toBe(true);
    expect(e.source.recordId).not.toBe('');
  });

  it.each([
    ['sysmon-evtxecmd/event1-curl-imds-token', 'windows'],
    ['sysmon-winlogbeat-module/event1-curl-imds-token', 'windows'],
    ['sysmon-linux/event1-curl-imds-token', 'linux'],
    ['sysmon-linux/event3-tmp-binary-imds', 'linux'],
    ['sysmon-linux-syslog/event1-curl-imds-token', 'linux'],
    // No host.os: the Linux-Sysmon channel says it.
    ['sysmon-linux-elastic/event1-curl-imds-token', 'linux'],
  ])('%s is a %s event (the allowlist entries of that platform apply)', (name, platform) => {
    const parsed = parseEndpointRecord(fixture(name), name);
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    expect(parsed.value.platform).toBe(platform);
  });

  it.each([
    ['mde/registry-ignored', 'mde.DeviceRegistryEvents'],
    ['sysmon-windowsevent/event12-registry-ignored', 'sysmon.event-12'],
    ['sysmon-flat/event12-registry-ignored', 'sysmon.event-12'],
    ['sysmon-windowsevent/event3-inbound-ignored', 'sysmon.event-3-inbound'],
    ['security-5156-securityevent/inbound-ignored', 'windows-security.event-5156-inbound'],
    ['security-5156-flat/inbound-ignored', 'windows-security.event-5156-inbound'],
    ['ecs/network-inbound-ignored', 'ecs.network-inbound'],
    ['ecs/authentication-ignored', 'ecs.category-authentication'],
    // A name lookup reaches nothing by itself: the connection after it is judged.
    ['ecs/network-dns-lookup-ignored', 'ecs.dns-lookup'],
  ])('%s is ignored by kind %s', (name, kind) => {
    expect(parseEndpointRecord(fixture(name), name)).toEqual({ ok: 'ignored', kind, origin: name });
  });

  it.each([
    ['ecs-auditd/opened-file-arc-key-by-app-first-time', '/opt/contoso/sync'],
    ['sysmon-flat/event1-ordinary-process', 'C:\\Windows\\system32\\'],
    ['sysmon-windowsevent/event1-ordinary-process', 'C:\\Windows\\system32\\'],
    // Sysmon 3 and MDE network rows carry no working directory.
    ['sysmon-flat/event3-public-folder-imds', ''],
    ['mde/network-curl-imds-token', ''],
  ])('reads the working directory of %s (relative scripts resolve against it)', (name, workingDirectory) => {
    const parsed = parseEndpointRecord(fixture(name), name);
    if (parsed.ok !== true) throw new Error('expected an event');
    expect(parsed.value.process.workingDirectory).toBe(workingDirectory);
  });

  it('reads the container an ECS process runs in (container.id), and none where the telemetry names none', () => {
    const inPod = parseEndpointRecord(fixture('ecs-auditd/opened-file-pod-token-by-kubelet-named-binary-in-container'), 'x');
    const onNode = parseEndpointRecord(fixture('ecs-auditd/opened-file-token-by-kubelet-trusted'), 'x');
    if (inPod.ok !== true || onNode.ok !== true) throw new Error('expected events');
    expect([inPod.value.process.containerId, onNode.value.process.containerId]).toEqual(['9f3c1b2a7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8', '']);
  });

  it('reads the tenant, the Azure resource id as host id, and the event time (UtcTime) of a WindowsEvent export', () => {
    const parsed = parseEndpointRecord(fixture('sysmon-windowsevent/event3-public-folder-imds'), 'x');
    if (parsed.ok !== true) throw new Error('expected an event');
    expect(parsed.value).toMatchObject({
      tenantId: '00000000-0000-4000-8000-00000000c0de',
      hostId: '/subscriptions/00000000-0000-4000-8000-000000000001/resourcegroups/rg-app/providers/microsoft.compute/virtualmachines/app-02',
      timeMs: Date.parse('2026-03-02T09:00:00.123Z'),
      platform: 'windows',
      account: 'CONTOSO\\bob',
      process: { name: 'svchost.exe', pid: 6120 },
      network: { destinationIp: '169.254.169.254', destinationPort: 80, url: '' },
    });
  });

  it('gives a redelivered record the same record id, and a different record a different one', () => {
    const a = parseEndpointRecord(fixture('sysmon-windowsevent/event3-public-folder-imds'), 'first');
    const b = parseEndpointRecord(fixture('sysmon-windowsevent/event3-public-folder-imds'), 'again');
    const c = parseEndpointRecord(fixture('sysmon-windowsevent/event3-network-watcher-trusted'), 'other');
    if (a.ok !== true || b.ok !== true || c.ok !== true) throw new Error('expected events');
    expect(a.value.source.recordId).toBe(b.value.source.recordId);
    expect(a.value.source.recordId).not.toBe(c.value.source.recordId);
  });

  it.each([
    ['a string that is not auditd', 'hello', 'endpoint.not-an-object'],
    ['a number', 42, 'endpoint.not-an-object'],
    ['an object of no known shape', { foo: 'bar' }, 'endpoint.unknown-shape'],
    ['a raw auditd line', 'type=SYSCALL msg=audit(1551485405.594:7507): arch=c000003e syscall=257 success=yes exit=3', 'endpoint.auditd-raw-unsupported'],
    ['an MDE record without properties', { category: 'AdvancedHunting-DeviceNetworkEvents', operationName: 'Publish' }, 'mde.no-properties'],
    ['an MDE file row without a path', { category: 'AdvancedHunting-DeviceFileEvents', properties: { Timestamp: '2026-03-01T00:00:00Z', ActionType: 'FileCreated' } }, 'mde.no-file-path'],
    ['an MDE row without time', { category: 'AdvancedHunting-DeviceNetworkEvents', properties: { ActionType: 'ConnectionSuccess' } }, 'mde.no-time'],
    ['a Sysmon event 3 without Image', { Provider: 'Microsoft-Windows-Sysmon', EventID: 3, TimeGenerated: '2026-03-01T00:00:00Z', EventData: '{"DestinationIp":"169.254.169.254"}' }, 'sysmon.no-image'],
    ['a Sysmon event with a non-numeric id', { Provider: 'Microsoft-Windows-Sysmon', EventID: 'three' }, 'windows.no-event-id'],
    ['a 5156 without Application', { SourceName: 'Microsoft-Windows-Security-Auditing', EventID: 5156, '@timestamp': '2026-03-01T00:00:00Z', DestAddress: '169.254.169.254' }, 'windows-security.no-application'],
    ['an ECS network event without a destination', { '@timestamp': '2026-03-01T00:00:00Z', event: { category: ['network'] } }, 'ecs.no-target'],
    ['an ECS file event with a bad time', { '@timestamp': 'yesterday', event: { category: 'file' }, file: { path: '/tmp/x' } }, 'ecs.no-time'],
  ])('rejects %s with a counted reason', (_name, record, reason) => {
    const parsed = parseEndpointRecord(record, 'test:1');
    expect(parsed.ok).toBe(false);
    if (parsed.ok === false) {
      expect(parsed.reject.reason).toBe(reason);
      expect(parsed.reject.origin).toBe('test:1');
    }
  });

  it.each([
    [{ category: 'ManagedIdentitySignInLogs', operationName: 'Sign-in activity', resourceId: '/tenants/x' }, false],
    [{ category: 'Administrative', operationName: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE', resourceId: '/subscriptions/x' }, false],
    [{ category: 'MicrosoftGraphActivityLogs', operationName: 'Microsoft Graph Activity' }, false],
    [{ category: 'AdvancedHunting-DeviceRegistryEvents', operationName: 'Publish', properties: {} }, true],
    [{ EventID: 3, Provider: 'Microsoft-Windows-Sysmon' }, true],
    [{ winlog: { event_id: '3' } }, true],
    [{ '@timestamp': '2026-03-01T00:00:00Z', event: { category: ['file'] } }, true],
    ['type=PATH msg=audit(1551485405.594:7508): item=0 name="/etc/passwd"', true],
    ['{"records":[]}', false],
    [null, false],
  ])('looksLikeEndpointRecord(%j) is %s', (record, expected) => {
    expect(looksLikeEndpointRecord(record)).toBe(expected);
  });

  it('reads a record with a field nested deeper than the call stack, and gives it a stable id', () => {
    const depth = 50_000;
    const deepRecord = (): Record<string, unknown> => {
      const record = JSON.parse(readFileSync(path.join(FIXTURES, 'sysmon-flat/event3-public-folder-imds.json'), 'utf8')) as Record<string, unknown>;
      delete record['RecordNumber'];
      return { ...record, Extra: JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown };
    };
    const parsed = parseEndpointRecord(deepRecord(), 'deep');
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed).slice(0, 300));
    expect(parsed.value.network?.destinationIp).toBe('169.254.169.254');
    expect(parseEndpointRecord(deepRecord(), 'again')).toMatchObject({ ok: true, value: { source: { recordId: parsed.value.source.recordId } } });
  });

  it('turns a parser that throws into a record.unreadable reject instead of an exception', () => {
    // JSON cannot make these parsers throw today; a field whose read throws stands in for whatever
    // a future record shape or parser bug does, which must not fail the batch.
    const record = { EventID: 3, Provider: 'Microsoft-Windows-Sysmon', get Computer(): string { throw new TypeError('unexpected shape'); } };
    expect(parseEndpointRecord(record, 'odd')).toMatchObject({ ok: false, reject: { reason: 'record.unreadable', origin: 'odd', detail: expect.stringContaining('TypeError: unexpected shape') } });
  });

  it('parses a Winlogbeat-shaped Sysmon event 3', () => {
    const record = {
      '@timestamp': '2026-03-06T10:00:00.000Z',
      host: { name: 'win-09.contoso.com' },
      winlog: {
        provider_name: 'Microsoft-Windows-Sysmon',
        channel: 'Microsoft-Windows-Sysmon/Operational',
        event_id: '3',
        record_id: 4242,
        computer_name: 'win-09.contoso.com',
        event_data: { UtcTime: '2026-03-06 09:59:59.999', Image: 'C:\\Tools\\probe.exe', Initiated: 'true', DestinationIp: '169.254.169.254', DestinationPort: '80', ProcessId: '88' },
      },
      event: { category: ['network'], code: '3' },
    };
    const parsed = parseEndpointRecord(record, 'wlb');
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    expect(parsed.value).toMatchObject({ hostName: 'win-09.contoso.com', timeMs: Date.parse('2026-03-06T09:59:59.999Z'), source: { format: 'sysmon', recordId: 'record:4242' } });
  });
});
