import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultAsnDataFile, loadAsnData } from '../../src/adapters/asnData';
import { retrievedAtFromFileName } from '../../src/adapters/serviceTagsFile';
import { classifierForServiceTags } from '../../src/app/ipClassifier';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { parseAzureCloudRanges } from '../../src/core/network/serviceTags';
import { generateDemoTenant, type DemoTenant, type DemoTenantOptions, type PlantedAttack } from '../../src/demo/tenant';
import { replayRecords } from '../support/remoteUseHarness';

/**
 * The demo tenant through the project's own remote-use runner (in-memory state, the built ASN
 * table, the demo's own service-tags document, as `npm start` replays it): the alerts raised must
 * be exactly the planted expectations, no more, no fewer, and the broken body must end as counted
 * rejects.
 */
async function detect(tenant: DemoTenant): Promise<{ alerts: AlertRow[]; rejects: number }> {
  const { fileName, document } = tenant.serviceTags;
  const tags = classifierForServiceTags(loadAsnData(), { tags: parseAzureCloudRanges(document), retrievedAtMs: retrievedAtFromFileName(fileName) });
  const records = tenant.bodies.flatMap((b) => b.body.records);
  const { alerts, rejects } = await replayRecords(records, { batchSize: 300, settings: { classifyIp: tags.classifyIp, serviceTags: tags.serviceTags } });
  return { alerts, rejects: rejects.rejects.length };
}

const key = (severity: string | null, identity: string, ip: string, time: string) => `${severity} ${identity} ${ip} ${Date.parse(time)}`;
const expectedKeys = (planted: readonly PlantedAttack[]) => planted.filter((p) => p.expectAlert).map((p) => key(p.expectedSeverity, p.identityName, p.ip, p.time)).sort();
const raisedKeys = (alerts: readonly AlertRow[]) => alerts.map((a) => key(a.Severity, a.IdentityName, a.IPAddress, a.EventTime)).sort();

describe.skipIf(!existsSync(defaultAsnDataFile()))('demo tenant against the remote-use detector', () => {
  it('raises every planted alert for the reason planted, suppresses the repeat and stays silent on the benign stories', async () => {
    const tenant = generateDemoTenant();
    const { alerts, rejects } = await detect(tenant);
    expect(raisedKeys(alerts)).toEqual(expectedKeys(tenant.planted));

    const byTime = new Map(alerts.map((a) => [Date.parse(a.EventTime), a]));
    const alertOf = (p: PlantedAttack): AlertRow => byTime.get(Date.parse(p.time))!;
    for (const p of tenant.planted.filter((x) => x.expectAlert)) {
      const alert = alertOf(p);
      // Storage and Key Vault records name no token id; Storage's hash is in the evidence.
      expect(alert.TokenId, p.id).toBe(p.category === 'StorageRead' || p.category === 'AuditEvent' ? '' : p.tokenId);
      expect(alert.Evidence['tokenHash'], p.id).toBe(p.tokenHash || null);
      expect(alert.ASN, p.id).toBe(p.asn);
      expect(alert.IdentityResourceId, p.id).toBe(p.identityResourceId);
      expect(alert.SourceCategory, p.id).toBe(p.category);
      expect(alert.Evidence['serviceTagsChangeNumber'], p.id).toBe(tenant.serviceTags.document.changeNumber);
    }

    const rulesOf = (id: string): { rule: unknown; rules: unknown; evidence: AlertRow['Evidence'] } => {
      const evidence = alertOf(tenant.planted.find((p) => p.id === id)!).Evidence;
      return { rule: evidence['rule'], rules: evidence['rules'], evidence };
    };
    // A stolen token is a replay and an unusual ASN at once: one alert, the replay deciding.
    for (const p of tenant.planted.filter((x) => x.kind === 'stolen-token-new-asn')) expect(rulesOf(p.id).rules, p.id).toEqual(['token-replay', 'unusual-asn']);
    for (const p of tenant.planted.filter((x) => x.kind === 'new-ip-known-asn')) expect(rulesOf(p.id).rules, p.id).toEqual(['unusual-ip']);
    const rpl1 = rulesOf('RPL1');
    expect(rpl1.rules).toEqual(['token-replay', 'learning']);
    expect(rpl1.evidence['learningPhase']).toBe(true);
    const rpl2 = rulesOf('RPL2');
    expect(rpl2.rules).toEqual(['token-replay', 'unusual-region']);
    const rpl2Victim = tenant.identities.find((i) => i.name === tenant.planted.find((p) => p.id === 'RPL2')!.identityName)!;
    expect(rpl2.evidence['firstUseNetwork']).toBe(rpl2Victim.region);
    expect(rpl2.evidence['network']).toBe(rpl2.evidence['callerRegion']);
    expect(rpl2.evidence['network']).not.toBe(rpl2Victim.region);
    const reg1 = rulesOf('REG1');
    expect(reg1.rules).toEqual(['unusual-region']);
    expect(typeof reg1.evidence['callerRegion']).toBe('string');
    expect(rulesOf('STOR1').rules).toEqual(['token-replay', 'unusual-asn']);
    // Key Vault logs no token id: the new ASN alone decides.
    expect(rulesOf('KV1').rules).toEqual(['unusual-asn']);
    expect(rejects).toBe(tenant.malformed.records);
  }, 120_000);

  it.each<[string, DemoTenantOptions]>([
    ['the smallest catalog, whose identities play several parts', { identities: 12, days: 40 }],
    ['another seed', { seed: 7 }],
  ])('raises exactly the planted alerts for %s', async (_name, options) => {
    const tenant = generateDemoTenant(options);
    const { alerts } = await detect(tenant);
    expect(raisedKeys(alerts)).toEqual(expectedKeys(tenant.planted));
  }, 120_000);
});
