import { describe, expect, it } from 'vitest';
import { makeIpClassifier } from '../../../src/app/ipClassifier';
import { AsnLookup } from '../../../src/core/network/asnLookup';
import { parseRemoteUseAllowlist } from '../../../src/core/remoteUse/allowlist';
import { judgeUse, LADDER, TOKEN_RULES, type UseFacts } from '../../../src/core/remoteUse/ladder';
import type { RemoteUseAllowlist } from '../../../src/core/remoteUse/settings';
import {
  activityUse,
  at,
  ATTACKER_IP,
  ATTACKER_IP6,
  AZURE_IP,
  AZURE_IP_2,
  graphUse,
  identity,
  miSignIn,
  ONPREM_IP,
  ONPREM_IP_2,
  ONPREM_IP6,
  TENANT,
  TEST_ASN_RANGES,
} from '../../support/auditFixtures';
import { replayRecords } from '../../support/remoteUseHarness';

const vmA = identity(1); // used only from inside Azure
const vmB = identity(2); // also used from the on-prem network during the learning period
const arc = identity(3, 'arc'); // Azure Arc server, on-prem by design
const spC = identity(4); // a plain service principal: never signs in as a Managed Identity

/** 21 days of ordinary traffic: tenant starts on day 0, activation on day 14. */
function history(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let day = 0; day <= 20; day++) {
    for (const id of [vmA, vmB, arc]) records.push(miSignIn(id, at(day, 0)));
    records.push(activityUse(vmA, at(day, 5), AZURE_IP));
    records.push(activityUse(vmB, at(day, 6), AZURE_IP));
    if (day >= 1 && day <= 10) records.push(activityUse(vmB, at(day, 7), ONPREM_IP));
    if (day >= 1 && day <= 10) records.push(activityUse(arc, at(day, 8), ONPREM_IP));
  }
  return records;
}

function allow(json: unknown): RemoteUseAllowlist {
  const parsed = parseRemoteUseAllowlist(json);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.value;
}

interface LadderCase {
  readonly name: string;
  readonly probe: Record<string, unknown>[];
  /** Severities of the alerts raised by the probe records, in order ('-' = none). */
  readonly expected: string[];
  readonly allowlist?: RemoteUseAllowlist;
  readonly before?: Record<string, unknown>[];
}

const cases: LadderCase[] = [
  { name: 'learning period: external use is Low', probe: [activityUse(vmA, at(5, 30), ATTACKER_IP)], expected: ['Low'] },
  { name: 'activation is 14 days after the first event: day 13 still learning', probe: [activityUse(vmA, at(13, 59), ATTACKER_IP)], expected: ['Low'] },
  {
    // vmB's on-prem ASN raised its learning Low on day 1; a thief's ASN days later is not taught in silence.
    name: 'learning period: another external ASN within 5 days is a Low of its own; the same ASN again is not',
    probe: [activityUse(vmB, at(4, 30), ATTACKER_IP), activityUse(vmB, at(5, 30), '203.0.113.67')],
    expected: ['Low', '-'],
  },
  { name: 'after activation: unknown ASN is High', probe: [activityUse(vmA, at(21), ATTACKER_IP)], expected: ['High'] },
  { name: 'after activation: known ASN, new IP is Medium', probe: [activityUse(vmB, at(21), ONPREM_IP_2)], expected: ['Medium'] },
  { name: 'after activation: usual IP and ASN outside Azure is Low', probe: [activityUse(vmB, at(21), ONPREM_IP)], expected: ['Low'] },
  {
    name: 'learned during the learning period, usual after it',
    before: [activityUse(vmA, at(3, 30), ATTACKER_IP)],
    probe: [activityUse(vmA, at(21), ATTACKER_IP)],
    expected: ['Low'],
  },
  {
    // Each usual external network is a Low of its own (dedup per identity and ASN), as in the learning period.
    name: 'after activation: two usual external ASNs each raise their Low; the same ASN again within 5 days does not',
    before: [activityUse(vmA, at(3, 30), ATTACKER_IP), activityUse(vmA, at(4, 30), ONPREM_IP)],
    probe: [activityUse(vmA, at(21), ATTACKER_IP), activityUse(vmA, at(21, 5), ONPREM_IP), activityUse(vmA, at(22), ONPREM_IP)],
    expected: ['Low', 'Low', '-'],
  },
  {
    name: 'anti-poisoning: an unusual ASN seen after activation stays unusual',
    probe: [activityUse(vmA, at(21), ATTACKER_IP), activityUse(vmA, at(22), ATTACKER_IP), activityUse(vmA, at(27), ATTACKER_IP)],
    expected: ['High', '-', 'High'],
  },
  {
    name: 'anti-poisoning: an unusual IP seen after activation stays unusual',
    probe: [activityUse(vmB, at(21), ONPREM_IP_2), activityUse(vmB, at(26, 1), ONPREM_IP_2)],
    expected: ['Medium', 'Medium'],
  },
  { name: 'Arc: usual on-prem use raises no Low', probe: [activityUse(arc, at(21), ONPREM_IP)], expected: ['-'] },
  { name: 'Arc: no Low during learning either', probe: [activityUse(arc, at(11), ONPREM_IP)], expected: ['-'] },
  { name: 'Arc: new IP is still Medium', probe: [activityUse(arc, at(21), ONPREM_IP_2)], expected: ['Medium'] },
  { name: 'Arc: new ASN is still High', probe: [activityUse(arc, at(21), ATTACKER_IP)], expected: ['High'] },
  { name: 'allowlist (tenant ASN) suppresses Low', probe: [activityUse(vmB, at(21), ONPREM_IP)], expected: ['-'], allowlist: allow({ tenant: { asns: [64500] } }) },
  {
    name: 'allowlist (identity CIDR) makes the IP usual',
    probe: [activityUse(vmA, at(21), ATTACKER_IP), activityUse(vmB, at(21, 5), ATTACKER_IP)],
    expected: ['-', 'High'],
    allowlist: allow({ identities: { [vmA.objectId]: { cidrs: ['203.0.113.0/24'] } } }),
  },
  {
    name: 'allowlist by resource id',
    probe: [activityUse(vmA, at(21), ATTACKER_IP)],
    expected: ['-'],
    allowlist: allow({ identities: { [vmA.resourceId.toUpperCase()]: { asns: [64501] } } }),
  },
  {
    name: 'dedup: same identity, severity and ASN within 5 days is suppressed; at exactly 5 days it is raised',
    probe: [activityUse(vmA, at(21), ATTACKER_IP), activityUse(vmA, at(25, 24 * 60 - 1), '203.0.113.67'), activityUse(vmA, at(26), ATTACKER_IP)],
    expected: ['High', '-', 'High'],
  },
  {
    name: 'dedup: a different unusual ASN is a different alert',
    probe: [activityUse(vmA, at(21), ATTACKER_IP), activityUse(vmA, at(21, 10), ATTACKER_IP6)],
    expected: ['High', 'High'],
  },
  {
    name: 'dedup: Medium is keyed by IP',
    probe: [activityUse(vmB, at(21), ONPREM_IP_2), activityUse(vmB, at(22), ONPREM_IP_2), activityUse(vmB, at(22, 5), '198.51.100.200')],
    expected: ['Medium', '-', 'Medium'],
  },
  { name: 'IPv6: unknown ASN is High', probe: [activityUse(vmA, at(21), ATTACKER_IP6)], expected: ['High'] },
  { name: 'IPv6: known ASN (learned over IPv4), new IP is Medium', probe: [activityUse(vmB, at(21), ONPREM_IP6)], expected: ['Medium'] },
  { name: 'IPv4-mapped IPv6 is the IPv4 address', probe: [activityUse(vmB, at(21), `::ffff:${ONPREM_IP}`)], expected: ['Low'] },
  { name: 'caller IP with a port', probe: [activityUse(vmB, at(21), `${ONPREM_IP}:52113`)], expected: ['Low'] },
  { name: 'private scope never alerts', probe: [activityUse(vmA, at(21), '10.20.30.40'), activityUse(vmA, at(21, 1), '100.64.1.1'), activityUse(vmA, at(21, 2), 'fd12::1')], expected: ['-', '-', '-'] },
  { name: 'unknown scope never alerts', probe: [activityUse(vmA, at(21), ''), activityUse(vmA, at(21, 1), 'not-an-ip')], expected: ['-', '-'] },
  { name: 'azure scope never alerts, even from a new Azure IP', probe: [activityUse(vmA, at(21), AZURE_IP_2)], expected: ['-'] },
  {
    name: 'non-MI service principal never alerts',
    probe: [activityUse(spC, at(21), ATTACKER_IP, { withMirid: false }), graphUse(spC, at(21, 1), ATTACKER_IP)],
    expected: ['-', '-'],
  },
  { name: 'Graph activity of a known MI alerts', probe: [graphUse(vmA, at(21), ATTACKER_IP)], expected: ['High'] },
  {
    name: 'Activity without xms_mirid: MI recognised from the sign-in catalog',
    probe: [activityUse(vmA, at(21), ATTACKER_IP, { withMirid: false })],
    expected: ['High'],
  },
  {
    name: 'baseline window: an ASN last seen more than 30 days before is unusual again',
    probe: [activityUse(vmB, at(41, 8), ONPREM_IP)],
    expected: ['High'],
  },
];

describe('remote-use severity ladder', () => {
  it.each(cases)('$name', async (c) => {
    const records = [...history(), ...(c.before ?? [])].sort(byTime);
    const base = await replayRecords(records, { settings: c.allowlist ? { allowlist: c.allowlist } : {} });
    const before = new Set(base.alerts.map((a) => a.AlertId));
    const { alerts } = await replayRecords([...records, ...c.probe].sort(byTime), { settings: c.allowlist ? { allowlist: c.allowlist } : {} });
    const probeAlerts = alerts.filter((a) => !before.has(a.AlertId));
    const got = c.probe.map((r) => probeAlerts.find((a) => a.EventTime === isoOf(r))?.Severity ?? '-');
    expect(got).toEqual(c.expected);
  });

  it('each batch classifies addresses with its own classifier, even for an address another classifier has seen', async () => {
    // The detector remembers classified addresses per classifier: two deployments (or tests) with
    // different network data must not share what an address is.
    const probe = activityUse(vmA, at(20, 12), ATTACKER_IP);
    const records = [...history(), probe].sort(byTime);
    const external = await replayRecords(records);
    const ownedByAzure = makeIpClassifier({ asnLookup: AsnLookup.fromRanges(TEST_ASN_RANGES.map((r) => (r.cidr === '203.0.113.0/24' ? { ...r, asn: 8075, organization: 'Microsoft Corporation' } : r))) });
    const internal = await replayRecords(records, { settings: { classifyIp: ownedByAzure } });
    expect(external.alerts.filter((a) => a.EventTime === isoOf(probe)).map((a) => [a.Severity, a.IPScope])).toEqual([['High', 'external']]);
    expect(internal.alerts.filter((a) => a.EventTime === isoOf(probe))).toEqual([]);
  });

  it('the learning-period Lows of the history are raised once per 5 days per identity', async () => {
    const { alerts } = await replayRecords(history());
    const lows = alerts.filter((a) => a.IdentityObjectId === vmB.objectId).map((a) => a.EventTime.slice(0, 10));
    // vmB used on-prem days 1..10: raised on day 1 and day 6, suppressed in between.
    expect(lows).toEqual([isoOf(activityUse(vmB, at(1, 7), ONPREM_IP)).slice(0, 10), isoOf(activityUse(vmB, at(6, 7), ONPREM_IP)).slice(0, 10)]);
    expect(alerts.every((a) => a.Severity === 'Low' && a.AADTenantId === TENANT)).toBe(true);
    expect(alerts.some((a) => a.IdentityObjectId === arc.objectId)).toBe(false);
  });

  it('suppressed Lows are counted as ledger rows of their hour, and the dedup row changes only when one is raised', async () => {
    // One record per batch, as a steady caller reaches the detector.
    // Up to day 10: the day-6 raise's row is still within its window (later writes expire it).
    const { backend, reports } = await replayRecords(history().filter((r) => String(r['time']) < isoOf(activityUse(vmA, at(11), AZURE_IP))), { batchSize: 1 });
    const ledger = [...backend.partitions].filter(([key]) => key.startsWith('sup|')).flatMap(([key, p]) => [...p.rows.values()].map((r): Record<string, unknown> => ({ ...r, key })));
    // Days 2..5 and 7..10 are suppressed: 8 uses, one row each, in the partition of the use's hour.
    expect(ledger).toHaveLength(8);
    // Learning-period Lows are keyed on the ASN: each network the period teaches has its own.
    const asn = String(ledger[0]?.['attribute']);
    expect(asn).toMatch(/^[1-9]\d*$/);
    expect(ledger.every((r) => r.objectId === vmB.objectId && r.severity === 'Low' && r.attribute === asn && r.category === 'Administrative')).toBe(true);
    expect(ledger.map((r) => r.key)).toEqual([2, 3, 4, 5, 7, 8, 9, 10].map((day) => `sup|${TENANT}|${new Date(at(day, 7)).toISOString().slice(0, 13).replace(/[-T]/g, '')}`));
    expect(reports.reduce((n, r) => n + r.detection.suppressed, 0)).toBe(8);
    const dedupRow = backend.partitions.get(`mi|${TENANT}|${vmB.objectId}`)?.rows.get(`dd|Low|${asn}`);
    expect(dedupRow).toMatchObject({ raisedAt: at(6, 7), suppressed: 0 });
  });
});

function isoOf(record: Record<string, unknown>): string {
  return new Date(Date.parse(String(record['time']).replace(/(\.\d{3})\d+Z$/, '$1Z'))).toISOString();
}

function byTime(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a['time']).localeCompare(String(b['time']));
}

describe('the ladder as data', () => {
  const scopes = ['unknown', 'azure', 'private', 'external'] as const;
  const names = ['tenantActive', 'isArc', 'allowlisted', 'asnInBaseline', 'ipInBaseline', 'azureNetworkInBaseline', 'tokenReplayed', 'networkReplayed'] as const;
  const everyFact: UseFacts[] = scopes.flatMap((scope) =>
    Array.from({ length: 1 << names.length }, (_, bits) => Object.fromEntries([['scope', scope], ...names.map((n, i) => [n, (bits & (1 << i)) !== 0])]) as unknown as UseFacts),
  );
  const severityRank = (s: string | undefined): number => (s === 'High' ? 3 : s === 'Medium' ? 2 : s === 'Low' ? 1 : 0);

  it('without a token rule, the first baseline rule whose condition holds decides alone', () => {
    for (const facts of everyFact.filter((f) => !f.tokenReplayed && !f.networkReplayed)) {
      const first = LADDER.find((rule) => rule.when(facts))!;
      expect(judgeUse(facts)).toMatchObject({ ruleId: first.id, rules: [first.id] });
    }
  });

  it('token rules apply beside the baseline rule: the highest severity decides, every rule is named, nothing is learned', () => {
    for (const facts of everyFact) {
      const base = LADDER.find((rule) => rule.when(facts))!;
      const outcome = judgeUse(facts);
      const final = ['unknown-ip', 'allowlisted', 'private'].includes(base.id);
      const tokenRules = final ? [] : TOKEN_RULES.filter((rule) => rule.when(facts));
      expect(new Set(outcome.rules)).toEqual(new Set([...tokenRules.map((r) => r.id), base.id]));
      const severities = [...tokenRules, base].map((r) => severityRank(r.outcome(facts).severity));
      expect(severityRank(outcome.severity)).toBe(Math.max(...severities));
      if (tokenRules.length > 0) expect(outcome).toMatchObject({ severity: 'High', attribute: 'network', learn: false, ruleId: tokenRules[0]!.id });
    }
  });

  it('gives severities by the published ladder, with the region and replay rows', () => {
    const active = { tenantActive: true, isArc: false, allowlisted: false, azureNetworkInBaseline: true, tokenReplayed: false, networkReplayed: false };
    expect(judgeUse({ ...active, scope: 'external', asnInBaseline: false, ipInBaseline: false })).toMatchObject({ ruleId: 'unusual-asn', severity: 'High', attribute: 'asn', learn: false });
    expect(judgeUse({ ...active, scope: 'external', asnInBaseline: true, ipInBaseline: false })).toMatchObject({ ruleId: 'unusual-ip', severity: 'Medium', attribute: 'ip', learn: false });
    expect(judgeUse({ ...active, scope: 'external', asnInBaseline: true, ipInBaseline: true })).toMatchObject({ ruleId: 'usual-external', severity: 'Low', attribute: 'asn', learn: true });
    expect(judgeUse({ ...active, isArc: true, scope: 'external', asnInBaseline: true, ipInBaseline: true }).severity).toBeUndefined();
    expect(judgeUse({ ...active, tenantActive: false, scope: 'external', asnInBaseline: false, ipInBaseline: false })).toMatchObject({ ruleId: 'learning', severity: 'Low', attribute: 'asn', learn: true });
    expect(judgeUse({ ...active, scope: 'azure', asnInBaseline: false, ipInBaseline: false })).toMatchObject({ ruleId: 'internal', severity: undefined, attribute: 'none', learn: true });
    expect(judgeUse({ ...active, scope: 'azure', asnInBaseline: true, ipInBaseline: false, azureNetworkInBaseline: false })).toMatchObject({ ruleId: 'unusual-region', severity: 'Medium', attribute: 'region', learn: false });
    expect(judgeUse({ ...active, tenantActive: false, scope: 'azure', asnInBaseline: true, ipInBaseline: false, azureNetworkInBaseline: false })).toMatchObject({ ruleId: 'internal', learn: true });
    expect(judgeUse({ ...active, scope: 'private', asnInBaseline: false, ipInBaseline: false, azureNetworkInBaseline: false, tokenReplayed: true })).toMatchObject({ ruleId: 'private', severity: undefined, learn: true });
    // Replay: High from day 0, for Arc too, inside Azure too; the baseline rule is still named.
    expect(judgeUse({ ...active, tenantActive: false, isArc: true, scope: 'external', asnInBaseline: true, ipInBaseline: true, tokenReplayed: true })).toMatchObject({ ruleId: 'token-replay', rules: ['token-replay', 'learning'], severity: 'High', learn: false });
    expect(judgeUse({ ...active, scope: 'azure', asnInBaseline: true, ipInBaseline: true, azureNetworkInBaseline: false, tokenReplayed: true })).toMatchObject({ ruleId: 'token-replay', rules: ['token-replay', 'unusual-region'], attribute: 'network' });
    expect(judgeUse({ ...active, scope: 'external', asnInBaseline: false, ipInBaseline: false, tokenReplayed: true, networkReplayed: true })).toMatchObject({ ruleId: 'token-replay', rules: ['token-replay', 'replayed-network', 'unusual-asn'] });
    // An operator's allowlist silences a replay from the allowlisted network.
    expect(judgeUse({ ...active, allowlisted: true, scope: 'external', asnInBaseline: false, ipInBaseline: false, tokenReplayed: true })).toMatchObject({ ruleId: 'allowlisted', severity: undefined });
  });

  it('hands out outcomes made once, which nobody can change', () => {
    for (const facts of everyFact) {
      const outcome = judgeUse(facts);
      expect(judgeUse({ ...facts })).toBe(outcome);
      expect(Object.isFrozen(outcome)).toBe(true);
      expect(Object.isFrozen(outcome.rules)).toBe(true);
    }
  });
});
