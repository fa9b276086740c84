import { describe, expect, it } from 'vitest';
import { REDACTED, redactedJson, redactSecrets, SECRET_FORMS } from '../../../src/core/redact/redactSecrets';
import { CREDENTIAL_FORMS, NO_SECRET_TEXTS } from '../../redaction/credentialForms';

describe('redactSecrets', () => {
  it('is seeded with at least 25 distinct credential forms', () => {
    expect(CREDENTIAL_FORMS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(CREDENTIAL_FORMS.map((f) => f.id)).size).toBe(CREDENTIAL_FORMS.length);
    expect(new Set(SECRET_FORMS.map((f) => f.id)).size).toBe(SECRET_FORMS.length);
  });

  it.each(CREDENTIAL_FORMS.map((f) => [f.id, f] as const))('removes the secret of %s and says so', (_id, form) => {
    const out = redactSecrets(form.text);
    for (const secret of form.secrets) expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each(NO_SECRET_TEXTS)('keeps a text without secrets unchanged: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('keeps what shows how the command was built: the header name, the scheme, the query names, the host', () => {
    expect(redactSecrets('curl -H "Authorization: Bearer 0.AXYA-opaque_token_value.xyz" https://graph.microsoft.com/')).toBe(
      `curl -H "Authorization: Bearer ${REDACTED}" https://graph.microsoft.com/`,
    );
    expect(redactSecrets('https://contoso.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=AbCdEf%2BGh%3D&se=2026')).toBe(`https://contoso.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=${REDACTED}&se=2026`);
    expect(redactSecrets('AccountName=contosodata;AccountKey=YWJjZGVm+Z2hp/amts==;EndpointSuffix=core.windows.net')).toBe(`AccountName=contosodata;AccountKey=${REDACTED};EndpointSuffix=core.windows.net`);
    expect(redactSecrets('{"client_secret":"a \\"quoted\\" secret","scope":"x"}')).toBe(`{"client_secret":"${REDACTED}","scope":"x"}`);
  });

  it('redacts the forms inside a record quoted as JSON, and inside a record quoted inside a record', () => {
    for (const form of CREDENTIAL_FORMS) {
      const once = JSON.stringify({ CommandLine: form.text });
      const twice = JSON.stringify({ body: once });
      for (const text of [once, twice]) {
        const out = redactSecrets(text);
        for (const secret of form.secrets) expect(out, `${form.id} in ${text.slice(0, 60)}`).not.toContain(secret);
      }
    }
  });

  it('redacts an ECS args array, where the option and its value are separate strings', () => {
    const args = JSON.stringify(['az', 'login', '--service-principal', '-u', 'a99c1d00', '--password', 'Winter2026!Contoso', '-p', 'Pa55w0rd-Spring-2026']);
    const out = redactSecrets(args);
    expect(out).not.toContain('Winter2026!Contoso');
    expect(out).not.toContain('Pa55w0rd-Spring-2026');
    expect(out).toContain('"--password","[REDACTED]"');
  });

  it('redacts a private key cut before its END line (a 4 KiB sample may end inside one)', () => {
    expect(redactSecrets('key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ')).toBe(`key: -----BEGIN PRIVATE KEY-----${REDACTED}`);
  });

  it.each(['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AIPA', 'ANPA', 'ANVA', 'AROA', 'APKA', 'ASCA'])('redacts an AWS key id starting %s standing alone in a text', (prefix) => {
    expect(redactSecrets(`owner ${prefix}Y34FZKBOKMUTVV7A`)).toBe(`owner ${REDACTED}`);
  });

  it('is idempotent: redacted text redacts to itself', () => {
    for (const form of CREDENTIAL_FORMS) {
      const once = redactSecrets(form.text);
      expect(redactSecrets(once), form.id).toBe(once);
    }
  });

  it('returns the very string it was given when there is nothing to redact', () => {
    const text = NO_SECRET_TEXTS[0]!;
    expect(Object.is(redactSecrets(text), text)).toBe(true);
  });

  /**
   * Inputs built to make a backtracking pattern quadratic or worse: long runs of the characters a
   * pattern scans, names and prefixes repeated without their value, quotes never closed. Each is
   * 1 MB; a quadratic pattern takes minutes on them, a linear one milliseconds. The bound is loose
   * (a shared 2-core machine) and still three orders of magnitude below a quadratic run.
   */
  it.each([
    ['one word', 'a'.repeat(1 << 20)],
    ['dashed words', 'a-'.repeat(1 << 19)],
    ['dotted words', 'a.'.repeat(1 << 19)],
    ['base64 run', 'Ab+/'.repeat(1 << 18)],
    ['names without values', 'password '.repeat(116_508)],
    ['unclosed quotes', 'password="x '.repeat(87_381)],
    ['escaped quotes', 'token=\\"'.repeat(131_072)],
    ['JWT headers without payloads', 'eyJhbGci '.repeat(116_508)],
    ['JWT dots', `eyJ${'.a'.repeat(1 << 19)}`],
    ['URL user info without @', 'https://user:pass'.repeat(61_680)],
    ['PEM begins without end', '-----BEGIN PRIVATE KEY-----'.repeat(38_836)],
    ['options without values', '--password '.repeat(95_325)],
    ['authorization without value', 'Authorization: '.repeat(69_905)],
    ['Q~ near-misses', 'abc1Q~'.repeat(174_762)],
    ['whitespace after a name', `secret${' '.repeat(1 << 20)}`],
  ])('redacts a 1 MB hostile string (%s) in linear time', (_name, text) => {
    const started = performance.now();
    const out = redactSecrets(text);
    const elapsed = performance.now() - started;
    expect(typeof out).toBe('string');
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('redactedJson', () => {
  it('redacts every string of a log line, keys included, and keeps it valid JSON', () => {
    const line = { event: 'remoteTokenUse.batch', byCategory: { 'Bearer 0.AXYA-opaque-category-value': 2, Administrative: 1 }, issuedToken: 3, error: 'RestError: PUT https://x.blob.core.windows.net/c?sig=LogSig0123%3D failed' };
    const text = redactedJson(line);
    expect(JSON.parse(text)).toEqual({ event: 'remoteTokenUse.batch', byCategory: { 'Bearer [REDACTED]': 2, Administrative: 1 }, issuedToken: 3, error: 'RestError: PUT https://x.blob.core.windows.net/c?sig=[REDACTED] failed' });
    expect(redactedJson({ a: 1, b: ['x', null] })).toBe(JSON.stringify({ a: 1, b: ['x', null] }));
  });
});
