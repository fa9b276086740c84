import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeEcsEvent, parseEcsEvent } from '../../../../src/core/records/endpoint/ecsEvent';
import type { EndpointParsed } from '../../../../src/core/records/endpoint/endpointEvent';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/endpoint');
const ECS_FIXTURES = ['ecs', 'ecs-auditd'].flatMap((folder) => readdirSync(path.join(FIXTURES, folder)).map((file) => `${folder}/${file}`));

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf of a nested record as one dotted top-level key (`{"process.parent.name": …}`). */
function flattenAll(record: Json, prefix = '', into: Json = {}): Json {
  for (const [key, value] of Object.entries(record)) {
    if (isPlainObject(value) && Object.keys(value).length > 0) flattenAll(value, `${prefix}${key}.`, into);
    else into[`${prefix}${key}`] = value;
  }
  return into;
}

/** One group flattened at the top (`"process.name"`, `"process.parent.name"`), the others nested. */
function flattenGroup(record: Json, group: string): Json {
  const { [group]: inner, ...rest } = record;
  return isPlainObject(inner) ? { ...rest, ...flattenAll(inner, `${group}.`) } : record;
}

/** Each object one level down written with dotted keys for what lies below it (`{"process": {"parent.name": …}}`). */
function dottedOneLevelDown(record: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(record)) out[key] = isPlainObject(value) ? flattenAll(value) : value;
  return out;
}

/** What an outcome says: a record without an event id or auditd sequence is identified by a fingerprint of its content, which each form changes. */
function meaning(parsed: EndpointParsed): unknown {
  if (parsed.ok !== true) return parsed.ok === 'ignored' ? { ignored: parsed.kind } : { reject: parsed.reject.reason };
  const { source, ...event } = parsed.value;
  return { ...event, source: { ...source, recordId: /^(?:ecs|auditd):/.test(source.recordId) ? source.recordId : 'fingerprint' } };
}

describe('parseEcsEvent: nested, flattened and mixed forms', () => {
  it.each(ECS_FIXTURES)('%s reads the same in every form', (name) => {
    const nested = fixture(name);
    const expected = meaning(parseEcsEvent(nested, name));
    const forms: Record<string, Json> = {
      'flattened at the top': flattenAll(nested),
      'dotted one level down': dottedOneLevelDown(nested),
      ...Object.fromEntries(Object.keys(nested).filter((k) => isPlainObject(nested[k])).map((group) => [`${group} flattened`, flattenGroup(nested, group)])),
    };
    for (const [form, record] of Object.entries(forms)) {
      expect(looksLikeEcsEvent(record), form).toBe(true);
      expect(meaning(parseEcsEvent(record, name)), form).toEqual(expected);
    }
  });

  it('does not change the record it reads', () => {
    const record = flattenAll(fixture('ecs/process-curl-gcp-token.json'));
    const before = JSON.stringify(record);
    parseEcsEvent(record, 'test');
    expect(JSON.stringify(record)).toBe(before);
  });

  const base = {
    '@timestamp': '2026-03-01T10:00:00.000Z',
    event: { category: ['process'], type: ['start'] },
    host: { name: 'lnx-01', os: { type: 'linux' } },
    process: { name: 'curl', executable: '/usr/bin/curl', parent: { name: 'bash', executable: '/usr/bin/bash' } },
  };
  const event = (record: Json) => {
    const parsed = parseEcsEvent(record, 'test');
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    return parsed.value;
  };

  it.each([
    ['a flattened key over the nested object', { ...base, 'process.parent.name': 'sh' }, 'sh'],
    ['a flattened key over a dotted key one level down', { ...base, process: { ...base.process, 'parent.name': 'zsh' }, 'process.parent.name': 'sh' }, 'sh'],
    ['a dotted key one level down over the nested object', { ...base, process: { ...base.process, 'parent.name': 'zsh' } }, 'zsh'],
    ['the longer flattened key over a shorter one naming its object', { ...base, 'process.parent.name': 'sh', 'process.parent': { name: 'dash' } }, 'sh'],
    ['a shorter flattened key naming the object', { ...base, 'process.parent': { name: 'dash' } }, 'dash'],
    ['a flattened key under a group that is not an object', { ...base, process: 'curl', 'process.parent.name': 'sh' }, 'sh'],
  ])('precedence: %s', (_case, record, parentName) => {
    expect(event(record).process.parentName).toBe(parentName);
  });

  it('reads three and four levels deep through dotted keys at any level (host.os.type, auditd.summary.object.primary)', () => {
    const auditd = {
      '@timestamp': '2026-03-01T10:00:00.000Z',
      event: { category: ['file'], action: 'opened-file' },
      host: { name: 'aks-1', 'os.type': 'linux' },
      process: { executable: '/usr/bin/cat' },
      auditd: { summary: { 'object.primary': '/var/run/secrets/kubernetes.io/serviceaccount/token' } },
    };
    const e = event(auditd);
    expect([e.platform, e.file?.path]).toEqual(['linux', '/var/run/secrets/kubernetes.io/serviceaccount/token']);
    expect(event({ ...auditd, auditd: { 'summary.object.primary': '/etc/passwd' } }).file?.path).toBe('/etc/passwd');
  });

  it('a "__proto__" key names a field like any other and changes no prototype', () => {
    const record = JSON.parse(JSON.stringify({ ...base, '__proto__.polluted': 'yes', 'process.__proto__.name': 'x' })) as Json;
    expect(event(record).process.name).toBe('curl');
    expect(({} as Json)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });
});

describe('parseEcsEvent: Auditbeat before ECS categorisation', () => {
  /** Auditbeat 6.x / early 7.x: every rule hit is `event.category: audit-rule`, what happened is `event.action`. */
  const legacy = (action: string, extra: Json): Json => ({
    '@timestamp': '2026-03-02T10:00:00.000Z',
    event: { module: 'auditd', category: 'audit-rule', action, outcome: 'success' },
    host: { name: 'web-07', os: { type: 'linux' } },
    user: { name: 'root' },
    process: { pid: 4242, name: 'cat', executable: '/usr/bin/cat', title: 'cat /var/run/secrets/kubernetes.io/serviceaccount/token' },
    auditd: { sequence: 1000, summary: { how: '/usr/bin/cat' } },
    ...extra,
  });

  it.each([
    ['opened-file', { file: { path: '/var/run/secrets/kubernetes.io/serviceaccount/token' } }, 'file'],
    ['executed', {}, 'process'],
    ['connected-to', { destination: { ip: '169.254.169.254', port: 80 } }, 'network'],
  ])('reads %s as a %s event', (action, extra, kind) => {
    const parsed = parseEcsEvent(legacy(action, extra), 'x');
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    expect(parsed.value.kind).toBe(kind);
  });

  it('ignores its other actions by kind, as before', () => {
    expect(parseEcsEvent(legacy('changed-identity-of', {}), 'x')).toEqual({ ok: 'ignored', kind: 'ecs.category-audit-rule', origin: 'x' });
  });
});

describe('parseEcsEvent: what the Elastic pipelines and older Auditbeats write', () => {
  const base = (extra: Json): Json => ({ '@timestamp': '2026-03-02T10:00:00.000Z', host: { name: 'aks-node-1', os: { type: 'linux' } }, ...extra });

  it("reads a deletion from the event type when sysmon_linux sets every action to 'log'", () => {
    const parsed = parseEcsEvent(base({ event: { action: 'log', category: ['file'], type: ['deletion'], code: '23' }, process: { executable: '/usr/bin/rm', name: 'sysmon' }, file: { path: '/home/azureuser/.azure/msal_token_cache.json' } }), 'x');
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    expect(parsed.value.file?.action).toBe('deletion');
    // The executable names the process: sysmon_linux writes the syslog program (`sysmon`) in process.name.
    expect(parsed.value.process.name).toBe('rm');
  });

  it('reads Auditbeat 6.x process.exe and process.cwd', () => {
    const parsed = parseEcsEvent(base({ event: { module: 'auditd', category: 'audit-rule', action: 'opened-file' }, process: { name: 'cat', exe: '/bin/cat', cwd: '/var/run/secrets/kubernetes.io/serviceaccount', title: 'cat token' }, file: { path: 'token' } }), 'x');
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    expect([parsed.value.process.path, parsed.value.file?.path]).toEqual(['/bin/cat', '/var/run/secrets/kubernetes.io/serviceaccount/token']);
  });

  it("ignores Sysmon's named-pipe events by kind (a pipe name, no file path)", () => {
    const pipe = base({ event: { category: ['file'], type: ['creation'], code: '17', provider: 'Microsoft-Windows-Sysmon' }, winlog: { event_id: '17', channel: 'Microsoft-Windows-Sysmon/Operational' }, process: { executable: 'C:\\Windows\\System32\\svchost.exe' }, file: { name: '\\PSHost.1337.DefaultAppDomain.powershell' } });
    expect(parseEcsEvent(pipe, 'x')).toEqual({ ok: 'ignored', kind: 'ecs.named-pipe', origin: 'x' });
  });
});

describe('parseEcsEvent: the container and the parent', () => {
  it('keeps the container image, its name with its tag when ECS gives them apart, and the parent command line', () => {
    const base = fixture('ecs-auditd/opened-file-pod-token-by-kubelet-named-binary-in-container.json');
    const imageOf = (record: Record<string, unknown>): string => {
      const parsed = parseEcsEvent(record, 'r');
      if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
      return parsed.value.process.containerImage;
    };
    expect(imageOf(base)).toBe('registry.contoso.example/tools/debug:1.2');
    const container = base['container'] as Record<string, unknown>;
    expect(imageOf({ ...base, container: { ...container, image: { name: 'mcr.microsoft.com/azuremonitor/containerinsights/ciprod', tag: ['3.1.23'] } } })).toBe('mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1.23');
    const curl = parseEcsEvent(fixture('ecs/process-curl-gcp-token.json'), 'r');
    if (curl.ok !== true) throw new Error(JSON.stringify(curl));
    expect(curl.value.process.containerImage).toBe('');
    const withParent = parseEcsEvent({ ...fixture('ecs/process-curl-gcp-token.json'), process: { ...(fixture('ecs/process-curl-gcp-token.json')['process'] as Record<string, unknown>), parent: { name: 'bash', executable: '/usr/bin/bash', args: ['/bin/bash', '/opt/azure/containers/provision_start.sh'] } } }, 'r');
    if (withParent.ok !== true) throw new Error(JSON.stringify(withParent));
    expect(withParent.value.process.parentCommandLine).toBe('/bin/bash /opt/azure/containers/provision_start.sh');
  });
});
