import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatedServiceTagsFile, loadServiceTagsFile, retrievedAtFromFileName } from '../../src/adapters/serviceTagsFile';
import type { AzureCloudRanges } from '../../src/core/network/serviceTags';
import { ServiceTagsFormatError } from '../../src/core/network/serviceTags';

// The real weekly download kept beside the repository (see shared/samples/SOURCES.md).
const repoRoot = resolve(__dirname, '../..');
const realSample = resolve(repoRoot, '../shared/samples/azure-service-tags/ServiceTags_Public_20251028.json');

describe.skipIf(!existsSync(realSample))('loadServiceTagsFile on ServiceTags_Public_20251028.json', () => {
  let ranges: AzureCloudRanges;
  beforeAll(() => {
    ranges = loadServiceTagsFile(realSample);
  });

  it('finds the AzureCloud tag with its 13,080 prefixes: 9,585 IPv4 and 3,495 IPv6', () => {
    expect(ranges).toMatchObject({ changeNumber: 375, cloud: 'Public', tags: ['AzureCloud'], ipv4PrefixCount: 9585, ipv6PrefixCount: 3495 });
  });

  it('holds every prefix of every regional AzureCloud.* tag, first and last address', () => {
    const document = JSON.parse(readFileSync(realSample, 'utf8')) as { values: { name: string; properties: { addressPrefixes: string[] } }[] };
    const regional = document.values.filter((tag) => tag.name.startsWith('AzureCloud.')).flatMap((tag) => tag.properties.addressPrefixes);
    expect(regional.length).toBeGreaterThan(12_000);
    const missing = regional.filter((prefix) => !ranges.ranges.contains(prefix.split('/')[0]!));
    expect(missing).toEqual([]);
  });

  it.each([
    // Addresses inside AzureCloud prefixes of this file
    ['4.144.0.1', true],
    ['4.149.127.255', true],
    ['20.190.128.1', true],
    // The instance metadata endpoint and WireServer are host-local Azure addresses, not in the tag.
    ['169.254.169.254', false],
    ['168.63.129.16', false],
    ['8.8.8.8', false],
    ['192.0.2.1', false],
    ['2001:db8::1', false],
  ])('%s in AzureCloud: %s', (address, expected) => {
    expect(ranges.ranges.contains(address)).toBe(expected);
  });
});

describe('loadServiceTagsFile errors and encodings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'service-tags-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a file that starts with a byte-order mark', () => {
    const file = join(dir, 'bom.json');
    const document = { changeNumber: 1, cloud: 'Public', values: [{ name: 'AzureCloud', id: 'AzureCloud', properties: { addressPrefixes: ['192.0.2.0/24'] } }] };
    writeFileSync(file, `\uFEFF${JSON.stringify(document)}`);
    const result = loadServiceTagsFile(file);
    expect(result.ranges.contains('192.0.2.77')).toBe(true);
  });

  it.each([
    ['missing.json', undefined, /cannot read service tags file .*missing\.json/],
    ['broken.json', '{"values": [', /broken\.json is not JSON/],
    ['other.json', '{"values": [{"name": "Storage", "properties": {"addressPrefixes": []}}]}', /other\.json: no AzureCloud or AzureCloud\.\* tag/],
  ])('names the file when %s cannot be used', (name, content, message) => {
    const file = join(dir, name);
    if (content !== undefined) writeFileSync(file, content);
    expect(() => loadServiceTagsFile(file)).toThrow(ServiceTagsFormatError);
    expect(() => loadServiceTagsFile(file)).toThrow(message);
  });

  it.runIf(existsSync('/dev/zero'))('refuses a device or a folder instead of reading it for ever', () => {
    expect(() => loadServiceTagsFile('/dev/zero')).toThrow(/service tags file \/dev\/zero is not a regular file/);
    expect(() => loadServiceTagsFile(dir)).toThrow(/is not a regular file/);
  });
});

describe('retrievedAtFromFileName', () => {
  it.each([
    ['ServiceTags_Public_20251028.json', Date.UTC(2025, 9, 28)],
    ['/srv/tags/ServiceTags_AzureGovernment_20240102.json', Date.UTC(2024, 0, 2)],
    ['servicetags-20240229.json', Date.UTC(2024, 1, 29)],
    // Not a calendar date, not eight digits on their own, or no date at all
    ['ServiceTags_Public_20250231.json', null],
    ['ServiceTags_Public_20251328.json', null],
    ['ServiceTags_Public_202510281.json', null],
    ['ServiceTags_Public_Latest.json', null],
    ['/data/20251028/ServiceTags.json', null],
  ])('%s -> %s', (file, expected) => {
    expect(retrievedAtFromFileName(file)).toBe(expected);
  });
});

describe('loadDatedServiceTagsFile', () => {
  let dir: string;
  const document = { changeNumber: 3, cloud: 'Public', values: [{ name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { region: 'westeurope', addressPrefixes: ['192.0.2.0/24'] } }] };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'service-tags-dated-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('dates a file by the YYYYMMDD in its name, whatever its modification time', () => {
    const file = join(dir, 'ServiceTags_Public_20251028.json');
    writeFileSync(file, JSON.stringify(document));
    const dated = loadDatedServiceTagsFile(file);
    expect(dated.retrievedAtMs).toBe(Date.UTC(2025, 9, 28));
    expect(dated.tags).toMatchObject({ changeNumber: 3, regionCount: 1 });
  });

  it('falls back to the modification time when the name has no date', () => {
    const file = join(dir, 'azure-tags.json');
    writeFileSync(file, JSON.stringify(document));
    const mtime = new Date(Date.UTC(2025, 6, 1, 8));
    utimesSync(file, mtime, mtime);
    expect(loadDatedServiceTagsFile(file).retrievedAtMs).toBe(mtime.getTime());
  });
});
