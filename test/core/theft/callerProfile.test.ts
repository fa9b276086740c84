import { describe, expect, it } from 'vitest';
import { normalisePath } from '../../../src/core/records/endpoint/normalisePath';
import { profileCaller } from '../../../src/core/theft/callerProfile';

function proc(path: string, commandLine = '', name = '', workingDirectory = '') {
  return { name, path, pathKey: normalisePath(path), commandLine, workingDirectory, pid: null, parentName: '', parentPath: '', parentCommandLine: '', containerId: '', containerImage: '' };
}

describe('profileCaller', () => {
  it.each([
    [proc('/usr/bin/curl'), 'suspicious', 'download-tool'],
    [proc('C:\\Windows\\System32\\certutil.exe'), 'suspicious', 'download-tool'],
    [proc('/usr/bin/cat'), 'suspicious', 'file-utility'],
    // Debian's alternatives: `awk` and `nc` run /usr/bin/mawk and /bin/nc.openbsd, and telemetry names the executable.
    [proc('/usr/bin/mawk'), 'suspicious', 'file-utility'],
    [proc('/bin/nc.openbsd'), 'suspicious', 'download-tool'],
    [proc('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'), 'suspicious', 'shell'],
    [proc('/bin/bash'), 'suspicious', 'shell'],
    [proc('/usr/bin/python3', 'python3 -c "import os"'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/node', 'node -e "fetch(1)"'), 'suspicious', 'interpreter-inline'],
    // Python's switches combine; node takes --eval=code; `-` reads the program from standard input.
    [proc('/usr/bin/python3', 'python3 -Ic "import os"'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/python3', 'python3 -uc "print(open(\'/var/run/secrets/kubernetes.io/serviceaccount/token\').read())"'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/node', 'node --eval="fetch(\'http://169.254.169.254/\')"'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/node', 'node -pe "1"'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/python3', 'python3 - /usr/sbin/waagent -daemon'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/perl', 'perl - /usr/sbin/waagent'), 'suspicious', 'interpreter-inline'],
    [proc('/usr/bin/python3', 'python3 /tmp/x.py'), 'suspicious', 'interpreter-writable-script'],
    [proc('/usr/bin/python3', 'python3 -u /home/alice/steal.py'), 'suspicious', 'interpreter-writable-script'],
    [proc('/usr/bin/java', 'java -Xmx1g -jar /dev/shm/x.jar'), 'suspicious', 'interpreter-writable-script'],
    [proc('/tmp/.x/agent'), 'suspicious', 'temporary-location'],
    // Run from memory, deleted after start, or from a world-writable mount.
    [proc('/memfd:kworker (deleted)'), 'suspicious', 'temporary-location'],
    [proc('/usr/local/bin/agent (deleted)'), 'suspicious', 'temporary-location'],
    [proc('/dev/mqueue/.x'), 'suspicious', 'temporary-location'],
    // Running a command inside a container or the host's namespaces: what it runs there is its command line.
    [proc('/usr/local/bin/kubectl', 'kubectl exec -it web-7d9f -- cat /var/run/secrets/kubernetes.io/serviceaccount/token'), 'suspicious', 'container-exec'],
    [proc('/usr/bin/crictl', 'crictl exec -it 3f1c8b2a cat /var/run/secrets/kubernetes.io/serviceaccount/token'), 'suspicious', 'container-exec'],
    [proc('/usr/bin/nsenter', 'nsenter -t 1 -m -u -i -n -- cat /etc/kubernetes/azure.json'), 'suspicious', 'container-exec'],
    [proc('/usr/bin/kubectl', 'kubectl get pods -A'), 'other', 'other'],
    [proc('C:\\Users\\bob\\AppData\\Local\\Temp\\a.exe'), 'suspicious', 'temporary-location'],
    [proc('C:\\Users\\bob\\Downloads\\tool.exe'), 'suspicious', 'temporary-location'],
    [proc('/usr/bin/python3', 'python3 /opt/contoso/app/main.py'), 'other', 'other'],
    [proc('/usr/bin/python3', 'python3 -m azure.cli account get-access-token'), 'other', 'other'],
    [proc('/opt/az/bin/python3', '/opt/az/bin/python3 -Im azure.cli login --identity'), 'other', 'other'],
    [proc('/usr/bin/python3'), 'other', 'other'],
    [proc('/opt/contoso/billing/bin/billing-api'), 'other', 'other'],
    [proc('', '', 'curl'), 'suspicious', 'download-tool'],
  ])('%j is %s / %s', (process, tier, category) => {
    expect(profileCaller(process)).toMatchObject({ tier, category });
  });

  it.each([
    // A relative script is resolved against the working directory (ECS process.working_directory, Sysmon CurrentDirectory).
    [proc('/usr/bin/python3.8', 'python3 -u bin/WALinuxAgent-2.9.1.1-py3.8.egg -run-exthandlers', '', '/var/lib/waagent/WALinuxAgent-2.9.1.1'), '/var/lib/waagent/walinuxagent-2.9.1.1/bin/walinuxagent-2.9.1.1-py3.8.egg'],
    [proc('/usr/bin/python3', 'python3 ./agent.py -enable', '', '/var/lib/waagent/Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.33.2/'), '/var/lib/waagent/microsoft.azure.monitor.azuremonitorlinuxagent-1.33.2/agent.py'],
    // Without one it stays relative, so no (absolute) allowlist pattern can match it.
    [proc('/usr/bin/python3.8', 'python3 -u bin/WALinuxAgent-2.9.1.1-py3.8.egg -run-exthandlers'), 'bin/walinuxagent-2.9.1.1-py3.8.egg'],
    // `..` cannot walk out of an installed folder unnoticed.
    [proc('/usr/bin/python3', 'python3 /usr/sbin/../../tmp/x.py'), '/tmp/x.py'],
    [proc('C:\\Python311\\python.exe', 'python.exe ..\\..\\Users\\Public\\x.py', '', 'C:\\ProgramData\\Contoso\\app'), '?:/programdata/users/public/x.py'],
  ])('resolves the script of %j to %s', (process, scriptKey) => {
    expect(profileCaller(process).scriptKey).toBe(scriptKey);
  });

  it.each([
    ['python3.9 -sm azure.cli account get-access-token', 'azure.cli'],
    ['/opt/az/bin/python3 -Im azure.cli login --identity', 'azure.cli'],
    ['python3 -mazure.cli vm list', 'azure.cli'],
    ['python3 -W ignore -m pip install x', 'pip'],
    ['python3 /usr/lib/x/tool.py -m azure.cli', ''],
    ['python3 -c "import azure.cli"', ''],
  ])('names the module python runs: %s', (commandLine, module) => {
    expect(profileCaller(proc('/usr/bin/python3', commandLine)).module).toBe(module);
  });

  it.each([
    // `--` ends the options: python runs a file named -m from the working directory.
    ['python3 -I -- -m azure.cli', '/tmp', 'interpreter-writable-script', ''],
    ['python3 -- /home/alice/x.py', '', 'interpreter-writable-script', ''],
    ['python3 --', '', 'interpreter-inline', ''],
    // A command line that names nothing to run: the program comes from standard input.
    ['python3', '', 'interpreter-inline', ''],
    ['python3 -u', '', 'interpreter-inline', ''],
    ['/opt/microsoft/omsagent/ruby/bin/ruby', '', 'interpreter-inline', ''],
    // No command line at all: nothing is known of what it runs.
    ['', '', 'other', ''],
  ])('reads what an interpreter runs: %j from %j', (commandLine, cwd, category, module) => {
    const image = commandLine.includes('ruby') ? '/opt/microsoft/omsagent/ruby/bin/ruby' : '/usr/bin/python3';
    const profile = profileCaller(proc(image, commandLine, '', cwd));
    expect([profile.category, profile.module]).toEqual([category, module]);
  });

  it.each([
    ['python3 -Im azure.cli', '/home/alice', false],
    ['python3 -sI -m azure.cli', '/home/alice', false],
    // In -XI and -WIgnore the I is an option's value, not isolation.
    ['python3 -XI -sm azure.cli', '/home/alice', true],
    ['python3 -WIgnore -m azure.cli', '/home/alice', true],
    ['python3 -sm azure.cli', '/etc', false],
    ['python3 -sm azure.cli', '/etc/../home/bob', true],
    ['python3 -sm azure.cli', '', true],
  ])('whether a module may be a planted one: %j from %j', (commandLine, cwd, shadowable) => {
    expect(profileCaller(proc('/usr/bin/python3', commandLine, '', cwd)).moduleShadowable).toBe(shadowable);
  });

  it('goes by the executable, not the name a process gave itself (auditd comm, a link, prctl)', () => {
    expect(profileCaller(proc('/usr/bin/curl', 'foo http://169.254.169.254/metadata/identity/oauth2/token', 'foo')).category).toBe('download-tool');
    expect(profileCaller(proc('/opt/az/bin/python3', 'foo -c "import os"', 'foo')).category).toBe('interpreter-inline');
    // A name is all there is when the telemetry has no path.
    expect(profileCaller(proc('', '', 'curl')).category).toBe('download-tool');
  });

  it('classifies a script that resolves into a temporary folder as suspicious', () => {
    expect(profileCaller(proc('/usr/bin/python3', 'python3 /usr/sbin/../../tmp/x.py'))).toMatchObject({ tier: 'suspicious', category: 'interpreter-writable-script' });
    expect(profileCaller(proc('/usr/bin/python3', 'python3 run.py', '', '/dev/shm/.x'))).toMatchObject({ tier: 'suspicious', scriptKey: '/dev/shm/.x/run.py' });
  });

  it.each([
    ['powershell.exe -ExecutionPolicy Bypass -NoProfile -File "C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\InitializeInstance.ps1" -Schedule', '?:/programdata/amazon/ec2-windows/launch/scripts/initializeinstance.ps1'],
    ['powershell.exe -f C:\\scripts\\a.ps1', '?:/scripts/a.ps1'],
    ['pwsh.exe /File C:\\scripts\\a.ps1', '?:/scripts/a.ps1'],
    // -Command (or -EncodedCommand) first makes the rest inline code: no script.
    ['powershell.exe -Command iwr http://169.254.169.254/ -File C:\\scripts\\a.ps1', ''],
    ['powershell.exe -ec SQBFAFgA', ''],
    // A value of an option is not the script.
    ['powershell.exe -ExecutionPolicy C:\\scripts\\a.ps1 -NoProfile', ''],
  ])('keeps the -File script of a PowerShell shell: %s', (commandLine, scriptKey) => {
    const profile = profileCaller(proc('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', commandLine));
    expect(profile).toMatchObject({ tier: 'suspicious', category: 'shell', scriptKey });
  });

  it('reads the script after options that take a value', () => {
    expect(profileCaller(proc('/usr/bin/python3', 'python3 -W ignore /opt/app/run.py')).scriptPath).toBe('/opt/app/run.py');
    expect(profileCaller(proc('/usr/bin/node', 'node -r dotenv/config /srv/app/index.js')).scriptPath).toBe('/srv/app/index.js');
  });
});
