import { describe, expect, it } from 'vitest';
import { normalisePath } from '../../../src/core/records/endpoint/normalisePath';
import { versionlessPathKey, versionlessSegment } from '../../../src/core/theft/versionlessPath';

describe('versionlessSegment', () => {
  it.each([
    // collapsed: versions alone or after a name and a separator, with build / date / pre-release parts
    ['1.22.0.0', '<ver>'],
    ['1.10.5', '<ver>'],
    ['v1.0', '<ver>'],
    ['guestagent_2.7.41491.1102_2024-01-01_000000', 'guestagent_<ver>'],
    ['guestagent_2.7.41491.1193_2026-02-18_215333', 'guestagent_<ver>'],
    ['walinuxagent-2.9.1.1', 'walinuxagent-<ver>'],
    ['walinuxagent-2.9.1.1-py3.8.egg', 'walinuxagent-<ver>.egg'],
    ['microsoft.azure.monitor.azuremonitorlinuxagent-1.33.2', 'microsoft.azure.monitor.azuremonitorlinuxagent-<ver>'],
    ['elastic-agent-8.15.0-1a2b3c', 'elastic-agent-<ver>'],
    ['app-2.0.0-rc1', 'app-<ver>'],
    ['packages_202185_155650', 'packages_<ver>'],
    ['20240101', '<ver>'],
    ['0123456789abcdef0123456789abcdef01234567', '<ver>'],
    // kept: not a version, or a tail that is more than version parts
    ['python3.11', 'python3.11'],
    ['python311', 'python311'],
    ['gcarcservice2', 'gcarcservice2'],
    ['cli2', 'cli2'],
    ['x64', 'x64'],
    ['node-v20.11.0-linux-x64', 'node-v20.11.0-linux-x64'],
    ['app-1.0-server', 'app-1.0-server'],
    ['libssl.so.3', 'libssl.so.3'],
    ['1234', '1234'],
    ['waappagent.exe', 'waappagent.exe'],
    ['deadbeefcafe', 'deadbeefcafe'],
  ])('%s → %s', (segment, expected) => {
    expect(versionlessSegment(segment)).toBe(expected);
  });
});

describe('versionlessPathKey', () => {
  const key = (path: string): string => versionlessPathKey(normalisePath(path));

  it.each([
    // The same program across self-updates has one identity.
    ['C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\WindowsAzureGuestAgent.exe', 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WindowsAzureGuestAgent.exe'],
    ['\\device\\harddiskvolume2\\windowsazure\\guestagent_2.7.41491.1102_2024-01-01_000000\\waappagent.exe', 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1057_2022-11-07_163802\\WaAppAgent.exe'],
    ['C:\\Packages\\Plugins\\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\\1.22.0.0\\Monitoring\\Agent\\MonAgentCore.exe', 'C:\\Packages\\Plugins\\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\\1.24.0.0\\Monitoring\\Agent\\MonAgentCore.exe'],
    ['/var/lib/waagent/WALinuxAgent-2.9.1.1/bin/WALinuxAgent-2.9.1.1-py3.8.egg', '/var/lib/waagent/WALinuxAgent-2.15.0.1/bin/WALinuxAgent-2.15.0.1-py3.12.egg'],
    ['/var/lib/waagent/Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.28.11/agent.py', '/var/lib/waagent/Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.33.2/agent.py'],
    ['/opt/rapid7/ir_agent/components/insight_agent/4.0.9.38/ir_agent', '/opt/rapid7/ir_agent/components/insight_agent/4.1.0.7/ir_agent'],
    ['/snap/amazon-ssm-agent/7628/amazon-ssm-agent', '/snap/amazon-ssm-agent/9881/amazon-ssm-agent'],
    ['/home/alice/.vscode-server/bin/0123456789abcdef0123456789abcdef01234567/node', '/home/alice/.vscode-server/bin/89abcdef0123456789abcdef0123456789abcdef/node'],
    ['C:\\WindowsAzure\\Packages_202185_155650\\WaAppAgent.exe', 'C:\\WindowsAzure\\Packages_202301_101010\\WaAppAgent.exe'],
  ])('%s and %s are one caller', (a, b) => {
    expect(key(a)).toBe(key(b));
  });

  it.each([
    // Different programs stay apart: another file, another tree, another name before the version.
    ['C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\WindowsAzureGuestAgent.exe', 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\CollectGuestLogs.exe'],
    ['/opt/contoso/app-1.0/bin/run', '/opt/contoso/tool-1.0/bin/run'],
    ['/opt/contoso/app-1.0-server/bin/run', '/opt/contoso/app-1.0-client/bin/run'],
    ['/usr/bin/python3.11', '/usr/bin/python3.12'],
    ['C:\\Packages\\Plugins\\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\\1.22.0.0\\x.exe', 'C:\\Packages\\Plugins\\Microsoft.Compute.CustomScriptExtension\\1.22.0.0\\x.exe'],
    ['/opt/app/1.0/bin/run', '/tmp/1.0/bin/run'],
    ['/var/lib/kubelet/pods/3f2a1b0c-0000-4000-8000-0000000000c3/x', '/var/lib/kubelet/pods/4e3b2c1d-0000-4000-8000-0000000000c4/x'],
    ['/opt/app/2024/run', '/opt/app/2025/run'],
  ])('%s and %s stay two callers', (a, b) => {
    expect(key(a)).not.toBe(key(b));
  });

  it('stays fast on hostile segments (paths come from telemetry an attacker shapes)', () => {
    const hostile = [
      `a-${'1.'.repeat(120)}x`,
      `a-1.0${'-111111'.repeat(36)}!`,
      `${'a-'.repeat(120)}1.0!`,
      `x_${'1'.repeat(250)}`,
      `v${'1.1'.repeat(80)}-rc1-py3.8.tar.gz.x`,
    ];
    const started = performance.now();
    for (let i = 0; i < 50; i++) for (const segment of hostile) versionlessPathKey(`/opt/${segment}/${segment}/run`);
    // 250 paths: milliseconds when the scan is linear; a backtracking pattern took minutes and the heap here.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(versionlessSegment(`a-1.0${'-111111'.repeat(30)}`)).toBe('a-<ver>');
    expect(versionlessSegment(`a-1.0${'-111111'.repeat(40)}`)).toBe(`a-1.0${'-111111'.repeat(40)}`); // over 255 characters: left alone
  });

  it('leaves a path without versions as it is (existing first-seen rows keep their keys)', () => {
    for (const path of ['/usr/bin/curl', '?:/windows/system32/windowspowershell/x.exe', '/opt/contoso/billing/bin/billing-api', '']) {
      expect(versionlessPathKey(path)).toBe(path);
    }
  });
});
