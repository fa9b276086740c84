import { describe, expect, it } from 'vitest';
import { normalisePath } from '../../../src/core/records/endpoint/normalisePath';
import { profileCaller } from '../../../src/core/theft/callerProfile';

function proc(path: string, commandLine = '', name = '') {
  return { name, path, pathKey: normalisePath(path), commandLine, pid: null, parentName: '', parentPath: '' };
}

describe('profileCaller', () => {
  it.each([
    [proc('/usr/bin/curl'), 'suspicious', 'download-tool'],
    [proc('C:\\Windows\\System32\\certutil.exe'), 'suspicious', 'download-tool'],
    [proc('/usr/bin/cat'), 'suspicious', 'file-utility'],
    [proc('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'), 'suspicious', 'shell'],
    [proc('/bin/bash'), 'suspicious', 'shell'],
    [proc('/usr/bin/python3', 'python3 -c "import os"'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/node', 'node -e "fetch(1)"'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/python3', 'python3 /tmp/x.py'), 'suspicious', 'interpreter-writable-script'],
    [proc('/usr/bin/python3', 'python3 -u /home/alice/steal.py'), 'suspicious', 'interpreter-writable-script'],
    [proc('/usr/bin/java', 'java -Xmx1g -jar /dev/shm/x.jar'), 'suspicious', 'interpreter-writable-script'],
    [proc('/tmp/.x/agent'), 'suspicious', 'temporary-location'],
    [proc('C:\\Users\\bob\\AppData\\Local\\Temp\\a.exe'), 'suspicious', 'temporary-location'],
    [proc('C:\\Users\\bob\\Downloads\\tool.exe'), 'suspicious', 'temporary-location'],
    [proc('/usr/bin/python3', 'python3 /opt/contoso/app/main.py'), 'other', 'other'],
    [proc('/usr/bin/python3', 'python3 -m azure.cli account get-access-token'), 'other', 'other'],
    [proc('/usr/bin/python3'), 'other', 'other'],
    [proc('/opt/contoso/billing/bin/billing-api'), 'other', 'other'],
    [proc('', '', 'curl'), 'suspicious', 'download-tool'],
  ])('%j is %s / %s', (process, tier, category) => {
    expect(profileCaller(process)).toMatchObject({ tier, category });
  });

  it('reads the script after options that take a value', () => {
    expect(profileCaller(proc('/usr/bin/python3', 'python3 -W ignore /opt/app/run.py')).scriptPath).toBe('/opt/app/run.py');
    expect(profileCaller(proc('/usr/bin/node', 'node -r dotenv/config /srv/app/index.js')).scriptPath).toBe('/srv/app/index.js');
  });
});
