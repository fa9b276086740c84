import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultAsnDataFile, loadAsnData } from '../../src/adapters/asnData';
import { makeIpClassifier } from '../../src/app/ipClassifier';
import { generateDemoTenant } from '../../src/demo/tenant';
import { replayRecords } from '../support/remoteUseHarness';

/**
 * The demo tenant through the project's own remote-use runner (in-memory state, the built ASN
 * table): the alerts raised must be exactly the planted expectations, no more, no fewer, and the
 * broken body must end as counted rejects.
 */
describe.skipIf(!existsSync(defaultAsnDataFile()))('demo tenant against the remote-use detector', () => {
  it('raises every planted alert, suppresses the repeat and stays silent on Arc and non-managed principals', async () => {
    const tenant = generateDemoTenant();
    const classifyIp = makeIpClassifier({ asnLookup: loadAsnData() });
    const records = tenant.bodies.flatMap((b) => b.body.records);
    const { alerts, rejects } = await replayRecords(records, { batchSize: 300, settings: { classifyIp } });

    const key = (severity: string | null, identity: string, ip: string, time: string) => `${severity} ${identity} ${ip} ${Date.parse(time)}`;
    const raised = alerts.map((a) => key(a.Severity, a.IdentityName, a.IPAddress, a.EventTime)).sort();
    const expected = tenant.planted.filter((p) => p.expectAlert).map((p) => key(p.expectedSeverity, p.identityName, p.ip, p.time)).sort();
    expect(raised).toEqual(expected);

    const byTime = new Map(alerts.map((a) => [Date.parse(a.EventTime), a]));
    for (const p of tenant.planted.filter((x) => x.expectAlert)) {
      const alert = byTime.get(Date.parse(p.time))!;
      expect(alert.TokenId).toBe(p.tokenId);
      expect(alert.ASN).toBe(p.asn);
      expect(alert.IdentityResourceId).toBe(p.identityResourceId);
    }
    expect(rejects.rejects).toHaveLength(tenant.malformed.records);
  }, 120_000);
});
