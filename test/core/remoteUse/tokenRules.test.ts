import { describe, expect, it } from 'vitest';
import type { AlertRow } from '../../../src/core/alerts/alertRow';
import { parseIp } from '../../../src/core/network/ip';
import { networkOf } from '../../../src/core/remoteUse/network';
import { parseRemoteUseAllowlist } from '../../../src/core/remoteUse/allowlist';
import type { RemoteUseSettings } from '../../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, ATTACKER_IP6, graphUse, identity, miSignIn, ONPREM_IP, ONPREM_IP_2, TENANT, tokenId, type TestIdentity } from '../../support/auditFixtures';
import {
  asnOnlyClassifier,
  EASTUS_IP,
  EASTUS_IP_2,
  keyVaultUse,
  OTHER_MICROSOFT_IP6,
  regionClassifier,
  storageUse,
  TEST_SERVICE_TAGS,
  UNTAGGED_AZURE_IP,
  WESTEUROPE_IP,
  WESTEUROPE_IP_2,
  WESTEUROPE_IP_3,
  WESTEUROPE_IP6,
} from '../../support/regionFixtures';
import { replayRecords } from '../../support/remoteUseHarness';

const vm = identity(21); // a VM in westeurope
const app = identity(22, 'uami'); // an App Service app in westeurope, several outbound addresses
const arc = identity(23, 'arc'); // an Arc server on premises (AS64500)

/** The day's token of an identity, issued by its sign-in at 00:00 of the day (as the Azure SDKs cache tokens). */
const tok = (id: TestIdentity, day: number): string => tokenId(id, at(day, 0));

/** 21 days of ordinary traffic; the tenant starts on day 0 and leaves its learning period on day 14. */
const history_ = (): Record<string, unknown>[] => history();
function history(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let day = 0; day <= 20; day++) {
    for (const id of [vm, app, arc]) records.push(miSignIn(id, at(day, 0)));
    records.push(activityUse(vm, at(day, 5), WESTEUROPE_IP, { token: tok(vm, day), iatMs: at(day, 0) }));
    records.push(activityUse(app, at(day, 6), WESTEUROPE_IP_2, { token: tok(app, day), iatMs: at(day, 0) }));
    records.push(activityUse(arc, at(day, 7), ONPREM_IP, { token: tok(arc, day), iatMs: at(day, 0) }));
  }
  return records;
}

const use = (id: TestIdentity, day: number, minutes: number, ip: string, token = tok(id, day)) => activityUse(id, at(day, minutes), ip, { token, iatMs: at(day, 0) });

interface RuleCase {
  readonly name: string;
  readonly probe: Record<string, unknown>[];
  /** Per probe record: `<Severity> <rule,rule…>` of its alert, or '-'. */
  readonly expected: string[];
  readonly settings?: Partial<RemoteUseSettings>;
}

const cases: RuleCase[] = [
  // Replay: the same token from a second network.
  { name: 'replay from an external network during learning is High, not Low', probe: [use(vm, 3, 30, ATTACKER_IP)], expected: ['High token-replay,learning'] },
  { name: 'replay after activation names both rules', probe: [use(vm, 16, 30, ATTACKER_IP)], expected: ['High token-replay,unusual-asn'] },
  { name: 'replay from another Azure region during learning', probe: [use(vm, 2, 30, EASTUS_IP)], expected: ['High token-replay,internal'] },
  { name: 'replay from another Azure region after activation', probe: [use(vm, 17, 30, EASTUS_IP)], expected: ['High token-replay,unusual-region'] },
  { name: 'replay over IPv6 from an external network', probe: [use(vm, 16, 30, ATTACKER_IP6)], expected: ['High token-replay,unusual-asn'] },
  { name: 'an Arc token replayed from a second external network', probe: [use(arc, 18, 30, ATTACKER_IP)], expected: ['High token-replay,unusual-asn'] },
  { name: 'an Arc token used from a new IP of its own network is no replay', probe: [use(arc, 18, 30, ONPREM_IP_2)], expected: ['Medium unusual-ip'] },
  // An address the ASN data does not know is a network of its own (its /24): a replay to it during learning is caught and not learned.
  { name: 'replay during learning to an address no ASN is known for', probe: [use(vm, 5, 59, '203.0.114.55')], expected: ['High token-replay,learning'] },
  {
    name: 'Storage: the same token hash from the private endpoint, the VM, then a hosting network',
    probe: [storageUse(vm, at(16, 20), '10.1.2.3:50000', 'ab'.repeat(32)), storageUse(vm, at(16, 21), `${WESTEUROPE_IP}:51000`, 'ab'.repeat(32)), storageUse(vm, at(16, 40), `${ATTACKER_IP}:443`, 'ab'.repeat(32))],
    expected: ['-', '-', 'High token-replay,unusual-asn'],
  },
  { name: 'Graph and Activity uses of one token id are one token', probe: [graphUse(vm, at(4, 30), ATTACKER_IP, { token: tok(vm, 4), issuedAtMs: at(4, 0) })], expected: ['High token-replay,learning'] },
  // Benign twins: several addresses of one network.
  { name: 'an App Service outbound pool: one token from several addresses of its region', probe: [use(app, 18, 10, WESTEUROPE_IP_3), use(app, 18, 11, WESTEUROPE_IP)], expected: ['-', '-'] },
  { name: 'a VM over IPv4 and IPv6 of its region', probe: [use(vm, 18, 10, WESTEUROPE_IP6)], expected: ['-'] },
  { name: 'a private endpoint belongs to no network', probe: [use(vm, 18, 10, '10.20.30.40'), use(vm, 18, 11, 'fd00::1')], expected: ['-', '-'] },
  { name: 'an unparseable address belongs to no network', probe: [use(vm, 18, 10, 'not-an-ip')], expected: ['-'] },
  // Dedup: a replay and the unusual ASN of the same network are one alert for 5 days.
  {
    name: 'dedup: the replayed token again, and a new token from the same network, within 5 days',
    probe: [use(vm, 16, 30, ATTACKER_IP), use(vm, 16, 31, ATTACKER_IP), use(vm, 17, 30, '203.0.113.67', 'thief-own-token')],
    expected: ['High token-replay,unusual-asn', '-', '-'],
  },
  // Allowlisted networks take no part.
  {
    name: 'an allowlisted second network is no replay',
    probe: [use(vm, 16, 30, ATTACKER_IP)],
    expected: ['-'],
    settings: { allowlist: allow({ identities: { [vm.objectId]: { asns: [64501] } } }) },
  },
  // The attacker inside Azure: an own token from another region.
  { name: 'after activation, an own token from an unusual Azure region is Medium', probe: [use(vm, 18, 30, EASTUS_IP, 'minted-elsewhere')], expected: ['Medium unusual-region'] },
  {
    name: 'an unusual region is not learned: Medium again after the 5-day dedup',
    probe: [use(vm, 15, 30, EASTUS_IP, 'x1'), use(vm, 16, 30, EASTUS_IP_2, 'x2'), use(vm, 20, 31, EASTUS_IP, 'x3')],
    expected: ['Medium unusual-region', '-', 'Medium unusual-region'],
  },
  // The operator's word holds inside Azure too: a region the identity moved to after its learning, a datacenter range its runners use.
  {
    name: 'an allowlisted Azure range is usual: no unusual region',
    probe: [use(vm, 18, 30, EASTUS_IP, 'minted-elsewhere'), use(vm, 24, 30, EASTUS_IP_2, 'again')],
    expected: ['-', '-'],
    settings: { allowlist: allow({ identities: { [vm.objectId]: { cidrs: ['192.0.2.128/25'] } } }) },
  },
  {
    name: 'an allowlisted Azure range is no replay',
    probe: [use(vm, 17, 30, EASTUS_IP)],
    expected: ['-'],
    settings: { allowlist: allow({ identities: { [vm.objectId]: { cidrs: ['192.0.2.128/25'] } } }) },
  },
  { name: 'a region used during learning is learned', probe: [use(vm, 5, 30, EASTUS_IP, 'x1'), use(vm, 19, 30, EASTUS_IP_2, 'x2')], expected: ['-', '-'] },
  { name: 'an Azure address in no regional tag is judged by its ASN (AS8075 known)', probe: [use(vm, 18, 30, UNTAGGED_AZURE_IP, 'x1')], expected: ['-'] },
  { name: 'an Azure address of another Microsoft ASN in no regional tag', probe: [use(vm, 18, 30, OTHER_MICROSOFT_IP6, 'x1')], expected: ['Medium unusual-region'] },
  {
    name: 'without service tags every Azure address of AS8075 is one network',
    probe: [use(vm, 17, 30, EASTUS_IP)],
    expected: ['-'],
    settings: { classifyIp: asnOnlyClassifier(), serviceTags: undefined },
  },
];

function allow(json: unknown) {
  const parsed = parseRemoteUseAllowlist(json);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.value;
}

const settingsOf = (c: { settings?: Partial<RemoteUseSettings> }): Partial<RemoteUseSettings> => ({ classifyIp: regionClassifier(), serviceTags: TEST_SERVICE_TAGS, ...c.settings });

async function probeAlerts(c: RuleCase, batchSize?: number): Promise<AlertRow[]> {
  const settings = settingsOf(c);
  const records = history();
  const base = await replayRecords(records.sort(byTime), { settings });
  const before = new Set(base.alerts.map((a) => a.AlertId));
  const { alerts } = await replayRecords([...records, ...c.probe].sort(byTime), { settings, ...(batchSize ? { batchSize } : {}) });
  return alerts.filter((a) => !before.has(a.AlertId));
}

describe('token rules and the attacker inside Azure', () => {
  it('the history alone raises nothing but the Arc server’s nothing', async () => {
    const { alerts, rejects } = await replayRecords(history().sort(byTime), { settings: settingsOf({}) });
    expect(alerts).toEqual([]);
    expect(rejects.rejects).toEqual([]);
  });

  it.each(cases)('$name', async (c) => {
    const alerts = await probeAlerts(c);
    const got = c.probe.map((r) => {
      const a = alerts.find((x) => x.EventTime === isoOf(r));
      return a ? `${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}` : '-';
    });
    expect(got).toEqual(c.expected);
    // One alert per use at most.
    expect(alerts.length).toBe(got.filter((g) => g !== '-').length);
  });

  it('an address the ASN data does not know is judged by its IP once learned: an Arc server on it is not High every dedup window', async () => {
    // 203.0.114.0/24 is in no ASN range of the test data (as a newly announced or leased block is in none of the snapshot's).
    const onprem = identity(24, 'arc');
    const noAsnIp = '203.0.114.5';
    const records: Record<string, unknown>[] = [];
    for (let day = 0; day <= 25; day++) records.push(miSignIn(onprem, at(day, 0)), use(onprem, day, 7, noAsnIp));
    const daily = await replayRecords(records.sort(byTime), { settings: settingsOf({}) });
    expect(daily.alerts.map((a) => `${a.EventTime} ${a.Severity}`)).toEqual([]);
    // A second address the ASN data does not know is no known network: still High.
    const probe = use(onprem, 22, 30, '203.0.114.6', 'other-token');
    const withProbe = await replayRecords([...records, probe].sort(byTime), { settings: settingsOf({}) });
    expect(withProbe.alerts.map((a) => `${a.EventTime === isoOf(probe)} ${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual(['true High unusual-asn']);
  });

  it('a replay alert carries both addresses, networks and times, and its reason names every rule', async () => {
    const [alert] = await probeAlerts({ name: '', probe: [use(vm, 16, 30, ATTACKER_IP)], expected: [] });
    expect(alert).toMatchObject({ Severity: 'High', AlertName: 'Managed Identity token replayed from a second network', IPAddress: ATTACKER_IP, TokenId: tok(vm, 16) });
    expect(alert!.Evidence).toMatchObject({
      firstUseIp: WESTEUROPE_IP,
      firstUseNetwork: 'westeurope',
      firstUseAt: new Date(at(16, 5)).toISOString(),
      secondUseNetwork: '64501',
      secondUseAt: new Date(at(16, 30)).toISOString(),
      minutesBetweenUses: 25,
      serviceTagsChangeNumber: 375,
      serviceTagsAgeDays: 16.4,
      tokenLinkedToIssuance: true,
    });
    expect(alert!.Reason).toContain(`first used from ${WESTEUROPE_IP} (Azure region westeurope)`);
    expect(alert!.Reason).toContain('then from 203.0.113.66 (AS64501 Fabrikam Hosting) 25 minutes later');
    expect(alert!.Reason).toContain('also, the autonomous system is absent from the 30-day baseline');
  });

  it('no replay teaches the baseline: the thief’s network stays High after the learning period', async () => {
    // Day 3, in the learning period: the VM's token replayed from the thief's ASN. Day 20: the
    // thief uses another token of the identity, first used from its own network.
    const c: RuleCase = { name: '', probe: [use(vm, 3, 30, ATTACKER_IP), use(vm, 20, 30, ATTACKER_IP, 'second-token')], expected: [] };
    const alerts = await probeAlerts(c);
    expect(alerts.map((a) => `${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual(['High token-replay,learning', 'High replayed-network,unusual-asn']);
    const { backend } = await replayRecords([...history(), ...c.probe].sort(byTime), { settings: settingsOf(c) });
    const rows = [...(backend.partitions.get(`mi|${TENANT}|${vm.objectId}`)?.rows.keys() ?? [])];
    expect(rows).not.toContain('asn|64501');
    expect(rows).not.toContain(`ip|${ATTACKER_IP}`);
    expect(rows).toContain('rn|64501');
  });

  it('no replay teaches the baseline even when the thief’s use is judged before the owner’s (partitions lag)', async () => {
    // Day 3, in the learning period: the thief's use of the VM's token (minute 30) reaches a batch
    // before the VM's own first use of it (minute 5). Judged alone it is a learning-period Low and
    // is learned; the owner's use then shows it was the replay, and what it taught is unlearned.
    const settings = settingsOf({});
    const timeOf = (r: Record<string, unknown>): number => Date.parse(String(r['time']));
    const records = history().sort(byTime);
    const own = records.find((r) => timeOf(r) === at(3, 5))!;
    const before = records.filter((r) => timeOf(r) < at(3, 5));
    const after = records.filter((r) => timeOf(r) > at(3, 5));
    const { backend } = await replayRecords(before, { settings });
    const ahead = await replayRecords([use(vm, 3, 30, ATTACKER_IP)], { settings, backend });
    expect(ahead.alerts.map((a) => `${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual(['Low learning']);
    const behind = await replayRecords([own], { settings, backend });
    expect(behind.alerts.map((a) => `${a.IPAddress} ${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual([`${ATTACKER_IP} High token-replay,learning`]);
    const rows = [...backend.partitions.get(`mi|${TENANT}|${vm.objectId}`)!.rows.keys()];
    expect(rows).not.toContain('asn|64501');
    expect(rows).not.toContain(`ip|${ATTACKER_IP}`);
    expect(rows).toContain('rn|64501');
    // Day 20: the thief's own token, from the same network, is High as in order, not a usual Low.
    const later = await replayRecords([...after, use(vm, 20, 30, ATTACKER_IP, 'second-token')].sort(byTime), { settings, backend });
    expect(later.alerts.filter((a) => a.IPAddress === ATTACKER_IP).map((a) => `${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual(['High replayed-network,unusual-asn']);
  });

  it('a Storage token whose later use, after midnight, is judged before its first use is still a replay, and teaches nothing', async () => {
    // Storage's token hashes are kept by the UTC day of their first use. The thief's use at 00:10
    // UTC reaches a batch before the VM's own use at 23:50 UTC the day before: the thief's row is in
    // the next day's partition, and the VM's use, judged later, must find it there.
    const settings = settingsOf({});
    const hash = 'cd'.repeat(32);
    // The tenant's days start at 08:00 UTC (at(0) is 08:00): UTC midnight falls 16 hours into day 3.
    const midnight = at(3, 16 * 60);
    expect(new Date(midnight).toISOString()).toMatch(/T00:00:00\.000Z$/);
    const thief = storageUse(vm, midnight + 10 * 60_000, `${ATTACKER_IP}:443`, hash);
    const owner = storageUse(vm, midnight - 10 * 60_000, `${WESTEUROPE_IP}:51000`, hash);
    const earlier = () => history().filter((r) => Date.parse(String(r['time'])) < midnight - 3_600_000).sort(byTime);
    const { backend } = await replayRecords(earlier(), { settings });
    const ahead = await replayRecords([thief], { settings, backend });
    expect(ahead.alerts.map((a) => `${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual(['Low learning']);
    const behind = await replayRecords([owner], { settings, backend });
    expect(behind.alerts.map((a) => `${a.IPAddress} ${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual([`${ATTACKER_IP} High token-replay,learning`]);
    const rows = [...backend.partitions.get(`mi|${TENANT}|${vm.objectId}`)!.rows.keys()];
    expect(rows).not.toContain('asn|64501');
    expect(rows).toContain('rn|64501');
    // In one body, whatever the batch size, the same: the replay is found.
    for (const batchSize of [1, 2]) {
      const early = await replayRecords(earlier(), { settings });
      const judged = await replayRecords([thief, owner], { settings, backend: early.backend, batchSize });
      expect(judged.alerts.filter((a) => a.Severity === 'High').map((a) => a.IPAddress), `batch size ${batchSize}`).toEqual([ATTACKER_IP]);
    }
  });

  it('a late body still shows a replay, within itself or against a recorded first use, and records no first use', async () => {
    // The VM's day-24 use moves its watermark 4 days past day 20, beyond the 2-day allowance: a
    // body of day 20 delivered now is late.
    const settings = settingsOf({});
    const lateReplay = async (body: Record<string, unknown>[], upTo = 24) => {
      const before = history().filter((r) => Date.parse(String(r['time'])) < at(upTo, 0));
      const { backend } = await replayRecords([...before, use(vm, upTo, 5, WESTEUROPE_IP, `day-${upTo}`)].sort(byTime), { settings });
      const late = await replayRecords(body.sort(byTime), { settings, backend });
      expect(late.reports[0]!.detection.late).toBe(body.length);
      // Nothing recorded: no first-use row names the thief's address, and its network is not learned.
      const firstUses = [...backend.partitions.entries()].filter(([key]) => key.startsWith('use|')).flatMap(([, p]) => [...p.rows.values()]);
      expect(firstUses.filter((row) => row['ip'] === ATTACKER_IP)).toEqual([]);
      expect([...backend.partitions.get(`mi|${TENANT}|${vm.objectId}`)!.rows.keys()]).not.toContain('asn|64501');
      return late.alerts.map((a) => `${a.EventTime} ${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`);
    };
    // A new token used from westeurope, then from the thief's network: both uses in the late body.
    expect(await lateReplay([use(vm, 20, 40, WESTEUROPE_IP, 'late-token'), use(vm, 20, 55, ATTACKER_IP, 'late-token')])).toEqual([
      `${new Date(at(20, 55)).toISOString()} High token-replay,unusual-asn`,
    ]);
    // The thief's use of the day's token, whose first use the history recorded.
    expect(await lateReplay([use(vm, 20, 50, ATTACKER_IP)])).toEqual([`${new Date(at(20, 50)).toISOString()} High token-replay,unusual-asn`]);
    // In the learning period (a day-7 watermark, a late body of day 3): High, not a learning Low.
    expect(await lateReplay([use(vm, 3, 40, WESTEUROPE_IP, 'early-token'), use(vm, 3, 55, ATTACKER_IP, 'early-token')], 7)).toEqual([
      `${new Date(at(3, 55)).toISOString()} High token-replay,learning`,
    ]);
  });

  it('without a replay, a learning-period thief is learned (the gap the replay rule closes)', async () => {
    const c: RuleCase = { name: '', probe: [use(vm, 3, 30, ATTACKER_IP, 'own-1'), use(vm, 20, 30, ATTACKER_IP, 'own-2')], expected: [] };
    const alerts = await probeAlerts(c);
    expect(alerts.map((a) => `${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual(['Low learning', 'Low usual-external']);
  });

  it('a replay whose second network is the identity’s own does not mark it: the thief was first', async () => {
    const c: RuleCase = { name: '', probe: [use(vm, 16, 1, ATTACKER_IP), use(vm, 17, 5, WESTEUROPE_IP)], expected: [] };
    // Day 16: the thief's use comes before the VM's own (minute 1 < 5): the VM's use is the replay.
    const alerts = await probeAlerts(c);
    expect(alerts.map((a) => `${a.IPAddress} ${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual([
      `${ATTACKER_IP} High unusual-asn`,
      `${WESTEUROPE_IP} High token-replay,internal`,
    ]);
  });

  it('the same alerts whatever the batch size', async () => {
    const c: RuleCase = { name: '', probe: cases.flatMap((x) => (x.settings ? [] : x.probe)), expected: [] };
    const whole = await probeAlerts(c);
    for (const size of [1, 7, 50]) expect((await probeAlerts(c, size)).map((a) => a.AlertId).sort()).toEqual(whole.map((a) => a.AlertId).sort());
  });

  it('history mode (a backfill) teaches and reports what it would have raised, but never suppresses a live alert', async () => {
    const history = [...history_(), use(vm, 16, 30, ATTACKER_IP), use(vm, 16, 40, ATTACKER_IP)].sort(byTime);
    const backfilled = await replayRecords(history, { settings: { ...settingsOf({}), history: true } });
    // What it would have raised: the replay, once (history dedups among itself).
    expect(backfilled.alerts.map((a) => `${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual(['High token-replay,unusual-asn']);
    const rows = [...backfilled.backend.partitions.get(`mi|${TENANT}|${vm.objectId}`)!.rows.keys()];
    expect(rows.filter((k) => k.startsWith('dd|'))).toEqual([]);
    expect(rows).toContain('hd|High|64501');
    expect([...backfilled.backend.partitions.keys()].some((k) => k.startsWith('sup|'))).toBe(false);
    // The next live batch, a day later: the thief's network is High at once (marked by the history, not suppressed by it).
    const live = await replayRecords([use(vm, 17, 30, ATTACKER_IP, 'thief-token')], { settings: settingsOf({}), backend: backfilled.backend });
    expect(live.alerts.map((a) => `${a.Severity} ${(a.Evidence['rules'] as string[]).join(',')}`)).toEqual(['High replayed-network,unusual-asn']);
  });

  it('Key Vault reads are judged: a read from a hosting network after activation', async () => {
    const alerts = await probeAlerts({ name: '', probe: [keyVaultUse(vm, at(18, 30), ATTACKER_IP), keyVaultUse(vm, at(18, 31), WESTEUROPE_IP, { withMirid: false })], expected: [] });
    expect(alerts.map((a) => [a.Severity, a.SourceCategory, a.Operation, a.IdentityObjectId])).toEqual([['High', 'AuditEvent', 'SecretGet', vm.objectId]]);
  });
});

describe('the network of an address', () => {
  it.each([
    [{ scope: 'external', asn: 64501, region: '' }, '64501'],
    // An address the ASN data does not know: its /24 or /48, so a replay to it is still a replay.
    [{ scope: 'external', asn: null, region: '' }, '203.0.114.0/24', '203.0.114.5'],
    [{ scope: 'external', asn: null, region: '' }, '2001:db8:9::/48', '2001:db8:9:1::5'],
    [{ scope: 'azure', asn: 8075, region: 'westeurope' }, 'westeurope'],
    [{ scope: 'azure', asn: 8075, region: '' }, '8075'],
    [{ scope: 'private', asn: null, region: '' }, undefined, '10.0.0.4'],
    [{ scope: 'unknown', asn: null, region: '' }, undefined],
  ] as const)('%j → %s', (facts, network, ip?: string) => {
    expect(networkOf({ ...facts, parsed: ip === undefined ? undefined : parseIp(ip) })).toBe(network);
  });
});

function isoOf(record: Record<string, unknown>): string {
  return new Date(Date.parse(String(record['time']).replace(/(\.\d{3})\d+Z$/, '$1Z'))).toISOString();
}

function byTime(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a['time']).localeCompare(String(b['time']));
}

describe('event time that only moves forward', () => {
  const id = identity(41);
  const days = (from: number, to: number, ip: string, minute = 5) =>
    Array.from({ length: to - from + 1 }, (_, k) => activityUse(id, at(from + k, minute), ip, { token: `${id.name}-${from + k}-${minute}` }));

  it('an older batch after a newer one expired rows is judged as if it had come in order', async () => {
    // The identity used AS64500 (on premises) until day 4; Azure every day. A batch of day 35
    // writes the identity (and so expires what is older than its window); a batch of day 33
    // (another partition, behind) then sees a use from AS64500, last seen 29 days before it.
    const history = [...days(0, 32, AZURE_IP_OF_TEST), ...days(0, 4, ONPREM_IP, 7)];
    const newer = [activityUse(id, at(35, 5), '198.51.100.77', { token: 'newer' })];
    const older = [activityUse(id, at(33, 9), ONPREM_IP, { token: 'older' })];
    const ordered = await replayRecords([...history, ...older, ...newer].sort(byTime), { batchSize: 1 });
    const backend = (await replayRecords(history.sort(byTime), { batchSize: 1 })).backend;
    await replayRecords(newer, { backend });
    const skewed = await replayRecords(older, { backend });
    const severityOf = (alerts: AlertRow[]) => alerts.filter((a) => a.EventTime === new Date(at(33, 9)).toISOString()).map((a) => a.Severity);
    expect(severityOf(ordered.alerts)).toEqual(['Low']);
    expect(severityOf(skewed.alerts)).toEqual(['Low']);
  });

  it('a use 6 days late is judged, counted as late, teaches nothing and never moves a dedup time back', async () => {
    // After activation: AS64501 raises High on day 20 and day 26 (5-day dedup). A use of day 14
    // arrives after them: its High stands (over 5 days before day 20), but day 27's use stays
    // suppressed as it was before the late one came.
    const history = days(0, 19, AZURE_IP_OF_TEST);
    const backend = (await replayRecords(history.sort(byTime), { batchSize: 50 })).backend;
    const first = await replayRecords([activityUse(id, at(20, 9), ATTACKER_IP, { token: 'a' }), activityUse(id, at(26, 9), ATTACKER_IP, { token: 'b' })], { backend, batchSize: 1 });
    expect(first.alerts.map((a) => a.Severity)).toEqual(['High', 'High']);
    const late = await replayRecords([activityUse(id, at(14, 9), ATTACKER_IP, { token: 'c' })], { backend });
    expect(late.alerts.map((a) => a.Severity)).toEqual(['High']);
    expect(late.reports[0]!.detection.late).toBe(1);
    expect(late.reports[0]!.detection.learned).toBe(0);
    const after = await replayRecords([activityUse(id, at(27, 9), ATTACKER_IP, { token: 'd' })], { backend });
    expect(after.alerts).toEqual([]);
    const dedup = backend.partitions.get(`mi|${TENANT}|${id.objectId}`)!.rows.get('dd|High|64501');
    expect(dedup).toMatchObject({ raisedAt: at(26, 9) });
  });

  it('a batch spanning 5 days judged again after its commit (a redelivery, a second instance) finds none of its uses late and changes nothing', async () => {
    const backend = (await replayRecords(days(0, 19, AZURE_IP_OF_TEST).sort(byTime), { batchSize: 50 })).backend;
    const batch = [
      activityUse(id, at(20, 9), ATTACKER_IP, { token: 'span-a' }),
      activityUse(id, at(21, 9), ONPREM_IP, { token: 'span-b' }),
      activityUse(id, at(25, 9), ATTACKER_IP, { token: 'span-c' }),
    ];
    const first = await replayRecords(batch, { backend });
    expect(first.reports[0]!.detection.late).toBe(0);
    expect(first.reports[0]!.stateChanges).toBeGreaterThan(0);
    // The identity's watermark is now day 25, more than the 2-day allowance after day 20 and 21.
    const again = await replayRecords(batch, { backend });
    expect(again.reports[0]!.detection.late).toBe(0);
    expect(again.reports[0]!.stateChanges).toBe(0);
    expect(again.alerts.map((a) => a.AlertId)).toEqual(first.alerts.map((a) => a.AlertId));
    // A later batch is measured against the watermark as it is: its day-20 use is late.
    const later = await replayRecords([activityUse(id, at(20, 10), ATTACKER_IP, { token: 'span-d' }), activityUse(id, at(25, 10), ATTACKER_IP, { token: 'span-e' })], { backend });
    expect(later.reports[0]!.detection.late).toBe(1);
  });

  it('a batch spanning 8 days judged again after its commit still finds the baseline rows its first judgement read, even those its commit could have expired', async () => {
    // AS64500 (on premises) until day 5, Azure every day. Day 33: a new address in AS64500 (a known
    // ASN, an unusual IP: judged, not learned). Day 40: Azure. Measured from day 40, the AS64500
    // row (last used on day 5) is past the 30-day window and the allowance; measured from the
    // watermark the batch found (day 29), it is not, and day 33 reads it.
    const backend = (await replayRecords([...days(0, 29, AZURE_IP_OF_TEST), ...days(0, 5, ONPREM_IP, 7)].sort(byTime), { batchSize: 50 })).backend;
    const batch = [activityUse(id, at(33, 9), ONPREM_IP_2, { token: 'wide-a' }), activityUse(id, at(40, 9), AZURE_IP_OF_TEST, { token: 'wide-b' })];
    const first = await replayRecords(batch, { backend });
    expect(first.alerts.map((a) => a.Reason)).toEqual([expect.stringMatching(/an IP address absent from its 30-day baseline inside an ASN it normally uses/)]);
    const again = await replayRecords(batch, { backend });
    expect(again.alerts.map((a) => [a.AlertId, a.Severity, a.Evidence])).toEqual(first.alerts.map((a) => [a.AlertId, a.Severity, a.Evidence]));
    expect(again.reports[0]!.stateChanges).toBe(0);
    // The row stays until a batch that found a later watermark writes the identity: day 41's,
    // measured from day 40, drops it.
    const rows = () => backend.partitions.get(`mi|${TENANT}|${id.objectId}`)!.rows;
    expect(rows().has('asn|64500')).toBe(true);
    const next = await replayRecords([activityUse(id, at(41, 9), ONPREM_IP, { token: 'wide-c' })], { backend });
    expect(next.alerts.map((a) => a.Reason)).toEqual([expect.stringMatching(/an autonomous system absent from its 30-day baseline/)]);
    expect(rows().has('asn|64500')).toBe(false);
  });
});

const AZURE_IP_OF_TEST = '192.0.2.10';
