import { describe, expect, it } from 'vitest';
import { canonicalHost, parseLooseIpv4 } from '../../../src/core/theft/metadataAddress';

describe('canonicalHost', () => {
  it.each([
    '169.254.169.254',
    '0xa9fea9fe',
    '0XA9FEA9FE',
    '2852039166',
    '0251.0376.0251.0376',
    '169.254.43518',
    '169.16689662',
    '0xa9.0xfe.0xa9.0xfe',
    '0xa9.254.0251.0xfe',
    '[::ffff:a9fe:a9fe]',
    '::ffff:169.254.169.254',
    '[::FFFF:169.254.169.254]',
    '169.254.169.254.',
    '169%2e254%2e169%2e254',
    '169.254.169.254.nip.io',
    '169-254-169-254.nip.io',
    'a9fea9fe.nip.io',
    'metadata.169.254.169.254.sslip.io',
  ])('%s is 169.254.169.254', (host) => {
    expect(canonicalHost(host)).toBe('169.254.169.254');
  });

  it.each([
    ['fd00:ec2::254', 'fd00:ec2::254'],
    ['[FD00:EC2:0::254]', 'fd00:ec2::254'],
    ['Metadata.Google.Internal.', 'metadata.google.internal'],
    ['169.254.169.2544', '169.254.169.2544'],
    ['256.1.1.1', '256.1.1.1'],
    ['08.1.1.1', '08.1.1.1'],
    // A leading zero is octal, whatever the number of parts; plain dotted quads are their own canonical text.
    ['169.254.169.010', '169.254.169.8'],
    ['0.0.0.0', '0.0.0.0'],
    ['198.51.100.255', '198.51.100.255'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['www.contoso.com', 'www.contoso.com'],
  ])('%s is %s', (host, expected) => {
    expect(canonicalHost(host)).toBe(expected);
  });

  it('returns undefined for an empty host', () => {
    expect(canonicalHost('  ')).toBeUndefined();
  });

  it.each([
    ['1', 1],
    ['0x0', 0],
    ['4294967295', 4294967295],
    ['4294967296', undefined],
    ['1.2.3.4.5', undefined],
    ['1.16777216', undefined],
    ['1.16777215', 33554431],
  ])('parseLooseIpv4(%s) is %s', (text, value) => {
    expect(parseLooseIpv4(text)).toBe(value);
  });
});
