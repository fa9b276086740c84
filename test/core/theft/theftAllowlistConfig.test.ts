import { describe, expect, it } from 'vitest';
import { buildTheftAllowlist, parseTheftAllowlistConfig } from '../../../src/core/theft/theftAllowlistConfig';
import type { TrustedProcess } from '../../../src/core/theft/trustedProcess';

const DEFAULTS: readonly TrustedProcess[] = [
  { id: 'agent-a', description: 'A', platform: 'linux', names: ['a'], pathPatterns: ['/opt/a/a'], vectors: ['TokenEndpoint'], source: 'test' },
  { id: 'agent-b', description: 'B', platform: 'linux', names: ['b'], pathPatterns: ['/opt/b/b'], vectors: ['TokenEndpoint'], source: 'test' },
];

const VALID = {
  disable: ['agent-b'],
  add: [{ id: 'contoso-inventory', description: 'Contoso inventory', platform: 'linux', names: ['Contoso-Inventory'], pathPatterns: ['/opt/contoso/inventory/*/bin/contoso-inventory'], vectors: ['TokenEndpoint'] }],
  applications: [{ id: 'billing-api', description: 'Billing API', pathPatterns: ['/opt/contoso/billing/bin/billing-api'], hostPatterns: ['app-*.contoso.com'] }],
};

describe('parseTheftAllowlistConfig', () => {
  it('accepts the documented example and fills defaults', () => {
    const parsed = parseTheftAllowlistConfig(VALID);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.value.add[0]).toMatchObject({ names: ['contoso-inventory'], source: 'operator configuration' });
    expect(parsed.value.applications[0]?.vectors).toEqual(['TokenEndpoint', 'ServiceAccountToken', 'TokenCache']);
  });

  it('accepts tokenFiles that scope an added entry to some token files', () => {
    const parsed = parseTheftAllowlistConfig({ add: [{ ...VALID.add[0], vectors: ['TokenCache'], tokenFiles: ['azure-arc-token-key'] }] });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.value.add[0]?.tokenFiles).toEqual(['azure-arc-token-key']);
    const without = parseTheftAllowlistConfig(VALID);
    expect(without.ok && 'tokenFiles' in (without.value.add[0] ?? {})).toBe(false);
  });

  it('accepts a cloud that scopes an added entry to its endpoints, and refuses an unknown one', () => {
    const parsed = parseTheftAllowlistConfig({ add: [{ ...VALID.add[0], cloud: 'aws' }] });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.value.add[0]?.cloud).toBe('aws');
    expect(parseTheftAllowlistConfig({ add: [{ ...VALID.add[0], cloud: 'oci' }] })).toMatchObject({ ok: false, errors: [expect.stringContaining('add[0].cloud')] });
  });

  it('accepts modules that scope an added interpreter to what it runs with -m', () => {
    const venv = { ...VALID.add[0], names: ['python3'], pathPatterns: ['/opt/tools/venv/bin/python3'], modules: ['azure.cli'] };
    const parsed = parseTheftAllowlistConfig({ add: [venv] });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.value.add[0]?.modules).toEqual(['azure.cli']);
    expect(parseTheftAllowlistConfig({ add: [{ ...venv, modules: ['azure cli'] }] })).toMatchObject({ ok: false, errors: [expect.stringContaining('add[0].modules[0]: "azure cli" is not a python module name')] });
    expect(parseTheftAllowlistConfig({ add: [{ ...venv, modules: 'azure.cli' }] })).toMatchObject({ ok: false, errors: [expect.stringContaining('add[0].modules')] });
  });

  it('accepts an empty object', () => {
    expect(parseTheftAllowlistConfig({})).toEqual({ ok: true, value: { disable: [], add: [], applications: [] } });
  });

  it.each([
    [[], 'theftAllowlist: must be a JSON object'],
    [{ allow: [] }, 'theftAllowlist.allow: unknown field'],
    [{ disable: 'agent-a' }, 'theftAllowlist.disable: must be an array'],
    [{ disable: ['Agent A'] }, 'theftAllowlist.disable[0]: "Agent A" is not an entry id'],
    [{ add: [{ ...VALID.add[0], id: 'Bad_Id' }] }, 'theftAllowlist.add[0].id: "Bad_Id" must be kebab-case'],
    [{ add: [{ ...VALID.add[0], platform: 'darwin' }] }, 'theftAllowlist.add[0].platform: must be "windows", "linux", "macos" or "any"'],
    [{ add: [{ ...VALID.add[0], names: ['/usr/bin/x'] }] }, 'theftAllowlist.add[0].names[0]: "/usr/bin/x" is a path'],
    [{ add: [{ ...VALID.add[0], pathPatterns: ['contoso-inventory'] }] }, 'theftAllowlist.add[0].pathPatterns[0]: "contoso-inventory" must be an absolute path pattern'],
    [{ add: [{ ...VALID.add[0], pathPatterns: ['/**'] }] }, 'theftAllowlist.add[0].pathPatterns[0]: "/**" would trust every program'],
    [{ add: [{ ...VALID.add[0], pathPatterns: ['/tmp/agent'] }] }, 'theftAllowlist.add[0].pathPatterns[0]: "/tmp/agent" is in a temporary folder'],
    [{ add: [{ ...VALID.add[0], pathPatterns: [] }] }, 'theftAllowlist.add[0].pathPatterns: must name at least one path pattern'],
    [{ add: [{ ...VALID.add[0], vectors: ['Imds'] }] }, 'theftAllowlist.add[0].vectors[0]: must be one of TokenEndpoint, ServiceAccountToken, TokenCache'],
    [{ add: [{ ...VALID.add[0], tokenFiles: ['arc-key'] }] }, 'theftAllowlist.add[0].tokenFiles[0]: "arc-key" is not a token file pattern id'],
    [{ add: [{ ...VALID.add[0], owner: 'x' }] }, 'theftAllowlist.add[0].owner: unknown field'],
    [{ applications: [{ ...VALID.applications[0], hostPatterns: [] }] }, 'theftAllowlist.applications[0].hostPatterns: must name at least one host pattern'],
    [{ applications: [{ ...VALID.applications[0], hostPatterns: ['app 01'] }] }, 'theftAllowlist.applications[0].hostPatterns[0]: "app 01" is not a host name pattern'],
    [{ applications: [{ ...VALID.applications[0], description: '' }] }, 'theftAllowlist.applications[0].description: must be a non-empty string'],
    [{ add: VALID.add, applications: [{ ...VALID.applications[0], id: 'contoso-inventory' }] }, 'id "contoso-inventory" is used twice'],
  ])('rejects %j naming the field', (json, message) => {
    const parsed = parseTheftAllowlistConfig(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.join('\n')).toContain(message);
  });

  it('lists every error at once', () => {
    const parsed = parseTheftAllowlistConfig({ disable: [1], add: [{}], applications: 'x' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.length).toBeGreaterThanOrEqual(7);
  });
});

describe('buildTheftAllowlist', () => {
  it('drops disabled defaults and appends additions and applications', () => {
    const parsed = parseTheftAllowlistConfig(VALID);
    if (!parsed.ok) throw new Error('invalid');
    const built = buildTheftAllowlist(DEFAULTS, parsed.value);
    if (!built.ok) throw new Error(built.errors.join('\n'));
    expect(built.value.processes.map((p) => p.id)).toEqual(['agent-a', 'contoso-inventory']);
    expect(built.value.applications.map((a) => a.id)).toEqual(['billing-api']);
  });

  it('names unknown disabled ids and additions that clash with a default', () => {
    const built = buildTheftAllowlist(DEFAULTS, { disable: ['agent-z'], add: [{ ...DEFAULTS[0]! }], applications: [] });
    expect(built).toEqual({
      ok: false,
      errors: [
        'theftAllowlist.disable: "agent-z" is not a default entry id',
        'theftAllowlist.add: id "agent-a" is already a default entry (disable it and add a new id)',
      ],
    });
  });
});
