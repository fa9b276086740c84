import { describe, expect, it } from 'vitest';
import { normalisePath } from '../../../src/core/records/endpoint/normalisePath';
import { hostMatches, pathMatches } from '../../../src/core/theft/pathPattern';

describe('pathMatches', () => {
  it.each([
    ['?:/windowsazure/guestagent_*/waappagent.exe', 'c:\\windowsazure\\guestagent_2.7.41491.1057_2022-11-07_163802\\waappagent.exe', true],
    ['?:/windowsazure/guestagent_*/waappagent.exe', '\\device\\harddiskvolume2\\windowsazure\\guestagent_2.7.41491.1057_2022-11-07_163802\\waappagent.exe', true],
    ['?:/windowsazure/guestagent_*/waappagent.exe', 'c:\\windowsazure\\guestagent_2.7\\extra\\waappagent.exe', false],
    // `**/` is any depth, none included: the versioned folder itself and a subfolder below it.
    ['?:/windowsazure/guestagent_*/**/waappagent.exe', 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1193_2026-02-18_215333\\WaAppAgent.exe', true],
    ['?:/windowsazure/guestagent_*/**/waappagent.exe', 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\GuestAgent\\WaAppAgent.exe', true],
    ['?:/windowsazure/guestagent_*/**/waappagent.exe', 'C:\\WindowsAzure\\WaAppAgent.exe', false],
    ['?:/windowsazure/packages*/**/waappagent.exe', '\\device\\harddiskvolume3\\windowsazure\\packages_202185_155650\\waappagent.exe', true],
    ['C:\\Program Files\\Contoso\\agent.exe', 'D:\\program files\\contoso\\AGENT.EXE', true],
    ['/var/lib/waagent/**/*.py', '/var/lib/waagent/WALinuxAgent-2.9.1.1/bin/agent.py', true],
    ['/var/lib/waagent/**/*.py', '/var/lib/waagent/agent.py', true],
    ['/var/lib/waagent/**/*.py', '/var/lib/waagent-evil/agent.py', false],
    ['/usr/sbin/waagent', '/tmp/waagent', false],
    ['/opt/app/bin/a+b(1).exe', '/opt/app/bin/a+b(1).exe', true],
    ['/opt/app/bin/a.b', '/opt/app/bin/axb', false],
  ])('%s ~ %s is %s', (pattern, path, expected) => {
    expect(pathMatches(pattern, normalisePath(path))).toBe(expected);
  });
});

describe('hostMatches', () => {
  it.each([
    ['app-*.contoso.com', 'APP-01.contoso.com', true],
    ['app-*', 'app-01.contoso.com', true],
    ['app-*', 'db-01.contoso.com', false],
    ['web-01.contoso.com', 'web-01.contoso.com.', true],
    ['web-0?', 'web-01', false],
  ])('%s ~ %s is %s', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });
});
