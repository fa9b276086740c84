import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuditRecord } from '../../src/core/records/auditRecord';

/** Real Event Hub records from public datasets, read in place (never copied into the project). */
const SAMPLES = path.resolve(__dirname, '../../../shared/samples/elastic-integrations-azure');
const present = existsSync(SAMPLES);

function records(file: string): unknown[] {
  return readFileSync(path.join(SAMPLES, file), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
}

describe.skipIf(!present)('conformance: Entra and Azure samples', () => {
  it('ManagedIdentitySignInLogs (real tenant): every record is a token issuance', () => {
    const parsed = records('signinlogs/test-managed-identity-sample.log.head.json').map((r, i) => parseAuditRecord(r, `mi ${i}`));
    expect(parsed).toHaveLength(11);
    for (const p of parsed) {
      expect(p?.ok).toBe(true);
      if (p?.ok) {
        expect(p.value.kind).toBe('issuance');
        if (p.value.kind === 'issuance') {
          expect(p.value.objectId).toMatch(/^[0-9a-f-]{36}$/);
          expect(p.value.tokenId).not.toBe('');
          expect(p.value.tenantId).toBe('4bbb79f7-5724-4c9e-95f3-de075f6ec090');
        }
      }
    }
  });

  it('ServicePrincipalSignInLogs: parsed and counted, never a Managed Identity', () => {
    const all = [...records('signinlogs/test-service-principal-signinlogs-sample.log'), ...records('signinlogs/test-service-principal.log')];
    const parsed = all.map((r, i) => parseAuditRecord(r, `sp ${i}`));
    expect(parsed).toHaveLength(8);
    expect(parsed.every((p) => p?.ok && p.value.kind === 'other')).toBe(true);
  });

  it('Activity log and the non-interactive sign-in in the activity folder parse with zero unexpected rejects', () => {
    const parsed = [...records('activitylogs/test-activitylogs-raw.log'), ...records('activitylogs/test-activitylogs-identity.log')].map((r, i) => parseAuditRecord(r, `act ${i}`));
    expect(parsed.filter((p) => !p || !p.ok)).toEqual([]);
    const first = parsed[0];
    expect(first?.ok && first.value.kind === 'use' ? first.value.callerIp : undefined).toBe('81.2.69.144');
    expect(first?.ok && first.value.kind === 'use' ? first.value.principalType : undefined).toBe('app');
  });

  it('MicrosoftGraphActivityLogs: app-only calls are uses, delegated calls are counted', () => {
    const parsed = records('graphactivitylogs/test-activitylogs-raw.log').map((r, i) => parseAuditRecord(r, `graph ${i}`));
    expect(parsed).toHaveLength(6);
    expect(parsed.filter((p) => !p || !p.ok)).toEqual([]);
    const kinds = parsed.map((p) => (p?.ok ? p.value.kind : 'reject'));
    expect(kinds.filter((k) => k === 'use').length).toBe(3);
  });
});
