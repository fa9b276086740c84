import { describe, expect, it } from 'vitest';
import { makeReject, REJECT_SAMPLE_CHARS } from '../../src/core/records/reject';
import { CREDENTIAL_FORMS } from './credentialForms';

describe('reject samples and details', () => {
  it('keep no credential of any form, whether the input is text, bytes or a parsed record', () => {
    for (const form of CREDENTIAL_FORMS) {
      const record = { time: '2026-11-23T10:00:00Z', category: 'ProcessCreate', properties: { CommandLine: form.text } };
      for (const input of [form.text, Buffer.from(JSON.stringify(record)), record]) {
        const reject = makeReject('record.not-azure-log', `Unexpected command line ${form.text}`, input, 'partition 0 seq 1');
        for (const secret of form.secrets) {
          expect(reject.sample, form.id).not.toContain(secret);
          expect(reject.detail, form.id).not.toContain(secret);
        }
      }
    }
  });

  it('redact before the cut: a secret that starts before 4 KiB and is recognised only by what follows the cut leaves no head behind', () => {
    // Cut first, these would lose what marks them as secrets (the `@` after a URL password, the
    // `==` closing a storage key) and their first characters would stay in the sample.
    const password = `Zq${'x7Yw'.repeat(10)}`;
    // 86 base64 characters and `==`: a 512-bit Azure Storage account key.
    const storageKey = `${'Kq3p'.repeat(21)}Zm==`;
    const cases = [
      [`${'a'.repeat(REJECT_SAMPLE_CHARS - 30)} https://svc:${password}@ftp.contoso.com/out`, password],
      [`${'b'.repeat(REJECT_SAMPLE_CHARS - 40)} ${storageKey} tail`, storageKey],
      [`${'c '.repeat(2040)}client_secret=${password}`, password],
    ] as const;
    for (const [text, secret] of cases) {
      const sample = makeReject('body.invalid-json', 'The message body is not JSON.', text, 'partition 0 seq 1').sample;
      expect(sample.length).toBeLessThanOrEqual(REJECT_SAMPLE_CHARS + 1);
      expect(sample.endsWith('…')).toBe(true);
      expect(sample).not.toContain(secret.slice(0, 6));
    }
  });

  it('still cut a megabyte record to 4 KiB, and keep a short clean one as it was', () => {
    expect(makeReject('body.invalid-json', 'd', 'x'.repeat(1 << 20), 'o').sample).toBe(`${'x'.repeat(REJECT_SAMPLE_CHARS)}…`);
    expect(makeReject('body.invalid-json', 'd', 'not json {', 'o').sample).toBe('not json {');
  });
});
