import { describe, expect, it } from 'vitest';
import { normalisePath, resolveDotSegments } from '../../../../src/core/records/endpoint/normalisePath';

/**
 * The documented steps, written out once more: what every path must normalise to, whichever
 * way normalisePath takes to get there (a path already normal is handed back as it is).
 */
function byTheSteps(path: string): string {
  let p = path.trim().replace(/^"(.*)"$/, '$1').replace(/\\/g, '/').toLowerCase();
  p = p.replace(/^\/\/\?\/|^\/\?\?\//, '');
  p = p.replace(/^\/device\/harddiskvolume\d+\//, '?:/');
  p = p.replace(/^[a-z]:(?=\/|$)/, '?:');
  p = p.replace(/\/{2,}/g, '/');
  return p.startsWith('/') || p.startsWith('?:/') ? resolveDotSegments(p) : p;
}

describe('normalisePath', () => {
  it.each([
    ['C:\\Windows\\System32\\curl.exe', '?:/windows/system32/curl.exe'],
    ['\\Device\\HarddiskVolume2\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', '?:/windows/system32/windowspowershell/v1.0/powershell.exe'],
    ['\\device\\harddiskvolume4\\packages\\plugins\\x.exe', '?:/packages/plugins/x.exe'],
    ['\\\\?\\C:\\Program Files\\App\\app.exe', '?:/program files/app/app.exe'],
    ['\\??\\C:\\Windows\\System32\\cmd.exe', '?:/windows/system32/cmd.exe'],
    ['"C:\\Program Files\\App\\app.exe"', '?:/program files/app/app.exe'],
    ['c:/windowsazure/guestagent_2.7/waappagent.exe', '?:/windowsazure/guestagent_2.7/waappagent.exe'],
    ['/usr/sbin//waagent', '/usr/sbin/waagent'],
    ['//usr/bin/cat', '/usr/bin/cat'],
    ['/USR/bin/Cat ', '/usr/bin/cat'],
    ['  /usr/bin/cat', '/usr/bin/cat'],
    ['/device/harddiskvolume2/windows/x.exe', '?:/windows/x.exe'],
    ['/??/c:/windows/x.exe', '?:/windows/x.exe'],
    // Already normal: handed back unchanged.
    ['/usr/local/bin/kubelet', '/usr/local/bin/kubelet'],
    ['/var/lib/kubelet/pods/6f889729-0000-4000-8000-000000000000/volumes/kubernetes.io~projected/kube-api-access-6f889/token', '/var/lib/kubelet/pods/6f889729-0000-4000-8000-000000000000/volumes/kubernetes.io~projected/kube-api-access-6f889/token'],
    ['/opt/my app/bin/a+b(1).sh', '/opt/my app/bin/a+b(1).sh'],
    ['/home/azureuser/.azure/msal_token_cache.json', '/home/azureuser/.azure/msal_token_cache.json'],
    // An absolute path's . and .. are resolved: no pattern matches a path that leaves the folder it names.
    ['/var/lib/waagent/Microsoft.Azure.KeyVault.KeyVaultForLinux-9/../../../../tmp/akvvm_service', '/tmp/akvvm_service'],
    ['C:\\Packages\\Plugins\\X\\1.0\\..\\..\\..\\..\\Users\\Public\\akvvm_service.exe', '?:/users/public/akvvm_service.exe'],
    ['/usr/bin/./python3', '/usr/bin/python3'],
    ['bin/../x.egg', 'bin/../x.egg'],
    // Non-ASCII capitals are lower-cased too.
    ['/opt/ÉCOLE/run', '/opt/école/run'],
  ])('%s → %s', (raw, expected) => {
    expect(normalisePath(raw)).toBe(expected);
    expect(byTheSteps(raw)).toBe(expected);
  });

  it('gives what the steps give on 20,000 generated paths (seeded), the already-normal ones included', () => {
    const alphabet = ['/', '/', '/', '\\', 'a', 'z', 'A', 'Z', '0', '9', '.', '-', '_', '~', ' ', '"', '?', ':', 'É', '\t', 'device', 'harddiskvolume3', 'c:', '??'];
    let seed = 20261207;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let unchanged = 0;
    for (let i = 0; i < 20_000; i++) {
      const parts: string[] = [next(3) === 0 ? '' : '/'];
      for (let j = next(12); j >= 0; j--) parts.push(alphabet[next(alphabet.length)]!);
      const path = parts.join('');
      const normal = normalisePath(path);
      if (normal === path) unchanged++;
      expect(normal, JSON.stringify(path)).toBe(byTheSteps(path));
    }
    // Both kinds were drawn: the check covers the fast answer and the full one.
    expect(unchanged).toBeGreaterThan(1_000);
    expect(unchanged).toBeLessThan(19_000);
  });
});
