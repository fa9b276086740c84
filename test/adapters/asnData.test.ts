import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsnDataUnavailableError, defaultAsnDataFile, loadAsnData, packageRoot } from '../../src/adapters/asnData';
import type { AsnTable } from '../../src/core/network/asnTable';
import { classifyIp } from '../../src/core/network/classifyIp';
import { parseIp } from '../../src/core/network/ip';
import { isMicrosoftAsn } from '../../src/core/network/microsoftAsns';

const repoRoot = resolve(__dirname, '../..');

describe('loadAsnData on the data built from @ip-location-db/asn', () => {
  let table: AsnTable;
  beforeAll(() => {
    // `npm test` builds first; a bare `vitest run` may not have.
    if (!existsSync(defaultAsnDataFile())) execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build-asn.mjs')], { stdio: 'inherit' });
    table = loadAsnData();
  });

  it('finds the data under the package root', () => {
    expect(defaultAsnDataFile()).toBe(join(repoRoot, 'data', 'asn', 'asn.bin'));
  });

  it('says which package version it was built from', () => {
    const installed = JSON.parse(readFileSync(require.resolve('@ip-location-db/asn/package.json'), 'utf8')) as { version: string };
    expect(table.source).toBe(`@ip-location-db/asn ${installed.version}`);
    expect(table.ipv4RangeCount).toBeGreaterThan(300_000);
    expect(table.ipv6RangeCount).toBeGreaterThan(50_000);
  });

  it.each([
    // Entra ID sign-in endpoints (login.microsoftonline.com resolves into 20.190.128.0/18)
    ['20.190.128.0', 8075],
    ['40.126.0.1', 8075],
    ['2603:1000::1', 8075],
    // Google public DNS
    ['8.8.8.8', 15169],
    ['2001:4860:4860::8888', 15169],
    // Cloudflare public DNS
    ['1.1.1.1', 13335],
  ])('%s is announced by AS%s', (address, asn) => {
    expect(table.lookup(parseIp(address)!)?.asn).toBe(asn);
  });

  it('puts Microsoft 365 front doors (13.107.42.14) in a Microsoft AS', () => {
    const result = table.lookup(parseIp('13.107.42.14')!);
    expect(result).toBeDefined();
    expect(isMicrosoftAsn(result!.asn)).toBe(true);
    expect(result!.organization).toMatch(/Microsoft/);
  });

  it.each(['192.0.2.1', '198.51.100.1', '203.0.113.1', '2001:db8::1', '10.0.0.1', '192.168.1.1'])('%s (documentation or private) is in no AS', (address) => {
    expect(table.lookup(parseIp(address)!)).toBeUndefined();
  });

  it('classifies with the real table: Microsoft space is azure, Google is external', () => {
    expect(classifyIp('20.190.128.0', { asnLookup: table })).toMatchObject({ scope: 'azure', asn: 8075 });
    expect(classifyIp('8.8.8.8:53', { asnLookup: table })).toMatchObject({ scope: 'external', asn: 15169, asOrganization: 'Google LLC' });
  });
});

describe('loadAsnData failures and the package root', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'asn-data-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('throws AsnDataUnavailableError naming a missing file', () => {
    const missing = join(dir, 'nope.bin');
    expect(() => loadAsnData({ file: missing })).toThrow(AsnDataUnavailableError);
    expect(() => loadAsnData({ file: missing })).toThrow(/nope\.bin \(npm run build writes it\)/);
  });

  it('walks up to the folder holding package.json', () => {
    expect(packageRoot(join(repoRoot, 'src', 'adapters'))).toBe(repoRoot);
    expect(packageRoot(join(repoRoot, 'dist', 'src', 'adapters'))).toBe(repoRoot);
    expect(packageRoot(repoRoot)).toBe(repoRoot);
  });
});
