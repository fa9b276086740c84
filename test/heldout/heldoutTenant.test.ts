import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAsnDataFile } from '../../src/adapters/asnData';
import { replay, type ReplaySummary } from '../../src/cli/replay';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { blockBounds, inBlock, lookupAsn } from '../demo/asnCsv';
import { ADDR, addressRoles, PRIVATE_BLOCKS, ROUTED_BLOCKS } from './heldoutNetworks';
import { tokenHashOf } from './heldoutRecords';
import { at, DAY_MS, DAYS, FIRST_EVENT_MS, IDENTITIES, PLANTED, T0, writeHeldoutTenant, type HeldoutTenant } from './heldoutTenant';

/**
 * Acceptance test on a held-out 45-day tenant (test/heldout/heldoutTenant.ts, written without the
 * project's demo generator), fed through the real replay path with a service-tags file: the alerts
 * must be exactly the ones the detection rules call for, with no rejects, whatever the batching,
 * and the built CLI must raise the same alerts.
 */
const repoRoot = path.resolve(__dirname, '../..');
const asnCsv = path.join(repoRoot, 'node_modules', '@ip-location-db', 'asn', 'asn-ipv4.csv');
/** The built CLI of the README (`npm run build`); TOKENWATCH_CLI points elsewhere (e.g. a fresh build). */
const cli = process.env['TOKENWATCH_CLI'] ?? path.join(repoRoot, 'dist', 'src', 'cli', 'tokenwatch.js');

const FIVE_DAYS = 5 * DAY_MS;
const ACTIVATION_MS = FIRST_EVENT_MS + 14 * DAY_MS;

type Severity = AlertRow['Severity'];

/** What an alert is judged by: when, who, how bad, from where, which rule decided. */
interface Expected {
  readonly time: number;
  readonly identity: string;
  readonly severity: Severity;
  readonly ip: string;
  /** Evidence.rules: the deciding rule first, then the others that applied. */
  readonly rules: readonly string[];
  readonly replay?: { readonly firstUseIp: string; readonly firstUseNetwork: string; readonly secondUseNetwork: string; readonly firstUseAt: number };
}

/**
 * The planted alerts, by hand from the rules (see the stories in heldoutTenant.ts):
 * - (a) day 5, learning: vm-web01's token first used in westeurope, then from DigitalOcean: a replay
 *   (High from day 0; beats the learning Low; not learned; AS14061 marked as a replay network). The
 *   second DigitalOcean use 43 min later is the same (identity, High, 14061): suppressed.
 * - (b) day 18: vm-db04's token from westeurope, then from eastus: replay (High; eastus also an
 *   unusual region). eastus is marked.
 * - (a) day 20: a new vm-web01 token first used from AS14061: the replayed network (High) and an
 *   unusual ASN (High); same dedup key as day 5, 15 days later: raised. 14:40 and day 21: suppressed.
 * - (c) day 22: vm-web02's own Graph token first used in eastus, never its region: Medium unusual
 *   region. 13:50 (same token) and day 24 (IPv6, same region): suppressed; day 28, 5 d 21 h after
 *   the first: raised again.
 * - (b) day 24: a vm-db04 token first used from eastus: replayed network (High) + unusual region;
 *   6 d 6 h after day 18's High of the same network: raised.
 * - (d) day 26: vm-batch03's Storage token hash from westeurope, then from a Tor exit (AS60729):
 *   replay (High) + unusual ASN. The second Tor read 93 s later: suppressed.
 * - (e) day 30: vm-app02's SecretGet (no token id, no xms_mirid: the catalog names it) from Hetzner:
 *   unusual ASN (High). 02:15 and day 31: suppressed.
 * - (g) day 31: vm-ops05 from a Deutsche Telekom address it never used (AS3320 known from the
 *   office): unusual IP (Medium). 11:45: suppressed.
 */
const PLANTED_ALERTS: readonly Expected[] = [
  {
    time: PLANTED.aReplay, identity: 'vm-web01', severity: 'High', ip: ADDR.digitalOcean, rules: ['token-replay', 'learning'],
    replay: { firstUseIp: ADDR.web01, firstUseNetwork: 'westeurope', secondUseNetwork: '14061', firstUseAt: PLANTED.aVmUses[0] },
  },
  {
    time: PLANTED.bReplay, identity: 'vm-db04', severity: 'High', ip: ADDR.eastusAttacker, rules: ['token-replay', 'unusual-region'],
    replay: { firstUseIp: ADDR.db04, firstUseNetwork: 'westeurope', secondUseNetwork: 'eastus', firstUseAt: PLANTED.bVmUses[0] },
  },
  { time: PLANTED.aDay20, identity: 'vm-web01', severity: 'High', ip: ADDR.digitalOcean, rules: ['replayed-network', 'unusual-asn'] },
  { time: PLANTED.cFirst, identity: 'vm-web02', severity: 'Medium', ip: ADDR.eastusAttacker2, rules: ['unusual-region'] },
  { time: PLANTED.bDay24, identity: 'vm-db04', severity: 'High', ip: ADDR.eastusAttacker, rules: ['replayed-network', 'unusual-region'] },
  {
    time: PLANTED.dTor, identity: 'vm-batch03', severity: 'High', ip: ADDR.torExit, rules: ['token-replay', 'unusual-asn'],
    replay: { firstUseIp: ADDR.batch03, firstUseNetwork: 'westeurope', secondUseNetwork: '60729', firstUseAt: PLANTED.dVmUses[0] },
  },
  { time: PLANTED.cDay28, identity: 'vm-web02', severity: 'Medium', ip: ADDR.eastusAttacker2, rules: ['unusual-region'] },
  { time: PLANTED.eFirst, identity: 'vm-app02', severity: 'High', ip: ADDR.hetzner, rules: ['unusual-asn'] },
  { time: PLANTED.gFirst, identity: 'vm-ops05', severity: 'Medium', ip: ADDR.officeOther, rules: ['unusual-ip'] },
];
/** Planted uses that dedup must suppress (counted, not emitted). */
const PLANTED_SUPPRESSED = [
  PLANTED.aReplayAgain, PLANTED.aDay20Again, PLANTED.aDay21, PLANTED.cFirstAgain, PLANTED.cDay24V6, PLANTED.dTorAgain, PLANTED.eFirstAgain, PLANTED.eDay31, PLANTED.gAgain,
];

/**
 * vm-ops05's office Lows: each office use is Low (learning, then usual-external: same ASN and IP,
 * learned), and Lows share one dedup key per identity, so one is raised per 5 days of event time.
 * The office works Monday to Friday (day 0 is a Monday): the first use of days 0, 7, 14, 21, 28,
 * 35 and 42, each at least 5 days after the last raised one.
 */
const OFFICE_LOW_DAYS = [0, 7, 14, 21, 28, 35, 42];

/** The same, by a direct model of the dedup rule over the office uses (a cross-check of the list above). */
function officeLowsByModel(officeUses: readonly number[]): number[] {
  const raised: number[] = [];
  for (const t of officeUses) if (raised.length === 0 || t - raised[raised.length - 1]! >= FIVE_DAYS) raised.push(t);
  return raised;
}

function expectedAlerts(tenant: HeldoutTenant): Expected[] {
  const lows = OFFICE_LOW_DAYS.map((day): Expected => {
    const time = tenant.officeUses.find((t) => t >= at(day, '00:00') && t < at(day + 1, '00:00'));
    if (time === undefined) throw new Error(`no office use on day ${day}`);
    return { time, identity: 'vm-ops05', severity: 'Low', ip: ADDR.office, rules: [time < ACTIVATION_MS ? 'learning' : 'usual-external'] };
  });
  return [...PLANTED_ALERTS, ...lows].sort((x, y) => x.time - y.time);
}

const tuple = (time: number, identity: string, severity: Severity | string, ip: string, rule: string): string => `${new Date(time).toISOString()} ${identity} ${severity} ${ip} ${rule}`;
const tupleOfAlert = (a: AlertRow): string => tuple(Date.parse(a.EventTime), a.IdentityName, a.Severity, a.IPAddress, (a.Evidence['rules'] as string[])[0] ?? '');
const idsOf = (s: ReplaySummary): string[] => s.alerts.map((a) => a.AlertId).sort();

/** A nested field of a parsed JSON value, or undefined. */
function field(value: unknown, ...keys: string[]): unknown {
  let at: unknown = value;
  for (const key of keys) at = typeof at === 'object' && at !== null && !Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}
const text = (value: unknown, ...keys: string[]): string => String(field(value, ...keys) ?? '');

describe.skipIf(!existsSync(asnCsv) || !existsSync(defaultAsnDataFile()))('held-out 45-day tenant through tokenwatch replay --service-tags', () => {
  let root: string;
  let tenant: HeldoutTenant;
  let perFile: ReplaySummary;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'tw-heldout-'));
    tenant = writeHeldoutTenant(root);
    perFile = await replay({ inputs: [tenant.logDir], serviceTagsFile: tenant.serviceTagsFile, out: path.join(root, 'alerts-per-file.ndjson') });
  }, 60_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('uses real routed blocks: Microsoft AS8075 for Azure, hosting and Tor-exit ASNs for the attackers', () => {
    for (const block of ROUTED_BLOCKS) {
      const { first, last } = blockBounds(block.cidr);
      const head = lookupAsn(first);
      const tail = lookupAsn(last);
      expect(head, `${block.cidr} first address`).toBeDefined();
      expect(head?.asn, block.cidr).toBe(block.asn);
      expect(head?.organization, block.cidr).toContain(block.organization);
      // One CSV row from the block's first address to its last: the whole block is that AS.
      expect(tail, `${block.cidr} last address`).toEqual(head);
    }
    for (const { ip, role } of addressRoles()) {
      if (role === 'private') {
        expect(PRIVATE_BLOCKS.some((cidr) => inBlock(ip, cidr)), ip).toBe(true);
        expect(lookupAsn(ip), ip).toBeUndefined();
      } else {
        const block = ROUTED_BLOCKS.find((b) => b.role === role && inBlock(ip, b.cidr));
        expect(block, `${ip} in a ${role} block`).toBeDefined();
        expect(lookupAsn(ip)?.asn, ip).toBe(block?.asn);
      }
    }
  });

  it('is a realistic tenant: Event Hub bodies in time order, a token a day per identity, tokens reused within 24 h of issuance', () => {
    const files = readdirSync(tenant.logDir).sort();
    expect(files).toHaveLength(tenant.files);
    const records = files.flatMap((f) => {
      const body = JSON.parse(readFileSync(path.join(tenant.logDir, f), 'utf8')) as unknown;
      const inner = field(body, 'records');
      expect(Array.isArray(inner), f).toBe(true);
      return inner as unknown[];
    });
    expect(records).toHaveLength(tenant.records);
    const times = records.map((r) => Date.parse(text(r, 'time')));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(times[0]).toBe(FIRST_EVENT_MS);

    // Issuance: ManagedIdentitySignInLogs, no caller IP (as in real exports).
    const issued = new Map<string, number>();
    const hashes = new Map<string, number>();
    const signInDays = new Map<string, Set<number>>();
    for (const r of records.filter((x) => text(x, 'category') === 'ManagedIdentitySignInLogs')) {
      const ms = Date.parse(text(r, 'time'));
      expect(field(r, 'callerIpAddress')).toBeUndefined();
      expect(field(r, 'properties', 'ipAddress')).toBe('');
      const uti = text(r, 'properties', 'uniqueTokenIdentifier');
      issued.set(uti, ms);
      hashes.set(tokenHashOf({ id: uti, issuedAtMs: ms }), ms);
      const name = text(r, 'properties', 'servicePrincipalName');
      signInDays.set(name, (signInDays.get(name) ?? new Set<number>()).add(Math.floor((ms - T0) / DAY_MS)));
    }
    for (const mi of Object.values(IDENTITIES)) expect(signInDays.get(mi.name)?.size, mi.name).toBe(DAYS);

    // Every Managed Identity use that names its token uses one issued at most 24 h earlier.
    const miObjectIds = new Set(Object.values(IDENTITIES).map((mi) => mi.objectId));
    let checked = 0;
    for (const r of records) {
      const category = text(r, 'category');
      let issuedAt: number | undefined;
      if (category === 'Administrative' && field(r, 'identity', 'claims', 'xms_mirid') !== undefined) issuedAt = issued.get(text(r, 'identity', 'claims', 'uti'));
      else if (category === 'MicrosoftGraphActivityLogs' && miObjectIds.has(text(r, 'properties', 'servicePrincipalId'))) issuedAt = issued.get(text(r, 'properties', 'signInActivityId'));
      else if (category === 'StorageRead') issuedAt = hashes.get(text(r, 'identity', 'tokenHash'));
      else continue;
      const age = Date.parse(text(r, 'time')) - (issuedAt ?? NaN);
      expect(age > 0 && age <= DAY_MS, JSON.stringify(r).slice(0, 300)).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(3000);
  });

  it('office Lows: the hand list agrees with a direct model of the dedup rule', () => {
    const byModel = officeLowsByModel(tenant.officeUses);
    expect(byModel.map((t) => Math.floor((t - at(0, '00:00')) / DAY_MS))).toEqual(OFFICE_LOW_DAYS);
  });

  it('raises exactly the expected alerts, with no rejects', () => {
    expect(perFile.rejectsByReason).toEqual({});
    expect(perFile.rejects).toEqual([]);
    expect(perFile.records).toBe(tenant.records);
    expect(perFile.files).toBe(tenant.files);
    expect(perFile.invocations).toBe(tenant.files);
    expect(perFile.byCategory).toEqual(tenant.recordsByCategory);

    const expected = expectedAlerts(tenant);
    const raised = [...perFile.alerts].sort((a, b) => Date.parse(a.EventTime) - Date.parse(b.EventTime)).map(tupleOfAlert);
    expect(raised).toEqual(expected.map((e) => tuple(e.time, e.identity, e.severity, e.ip, e.rules[0]!)));

    // Every alert names all the rules that applied; replays carry their first use.
    const byTime = new Map(perFile.alerts.map((a) => [Date.parse(a.EventTime), a]));
    for (const e of expected) {
      const alert = byTime.get(e.time)!;
      const rules = alert.Evidence['rules'] as string[];
      expect(rules[0], tuple(e.time, e.identity, e.severity, e.ip, '')).toBe(e.rules[0]);
      expect([...rules].sort(), tuple(e.time, e.identity, e.severity, e.ip, e.rules[0]!)).toEqual([...e.rules].sort());
      expect(alert.Detector).toBe('RemoteTokenUse');
      if (e.replay) {
        expect(alert.Reason).toContain('token replayed from a second network');
        expect(alert.Evidence).toMatchObject({
          firstUseIp: e.replay.firstUseIp,
          firstUseNetwork: e.replay.firstUseNetwork,
          secondUseNetwork: e.replay.secondUseNetwork,
          minutesBetweenUses: Math.round((e.time - e.replay.firstUseAt) / 60_000),
        });
      }
    }
    // Suppressed, not emitted: the planted repeats and every office use but the 7 Lows.
    expect(perFile.suppressed).toBe(PLANTED_SUPPRESSED.length + tenant.officeUses.length - OFFICE_LOW_DAYS.length);
    expect(perFile.alerts.some((a) => PLANTED_SUPPRESSED.includes(Date.parse(a.EventTime)))).toBe(false);

    // The --out file holds the same rows.
    const rows = readFileSync(path.join(root, 'alerts-per-file.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AlertRow);
    expect(rows.map((r) => r.AlertId).sort()).toEqual(idsOf(perFile));
  });

  it('raises the same alerts for another seed (the expectations depend on the rules, not on the noise)', async () => {
    const otherRoot = mkdtempSync(path.join(tmpdir(), 'tw-heldout-seed-'));
    try {
      const other = writeHeldoutTenant(otherRoot, 7);
      const summary = await replay({ inputs: [other.logDir], serviceTagsFile: other.serviceTagsFile, alertsToStdout: false });
      expect(summary.rejectsByReason).toEqual({});
      expect(summary.records).toBe(other.records);
      const raised = [...summary.alerts].sort((a, b) => Date.parse(a.EventTime) - Date.parse(b.EventTime)).map(tupleOfAlert);
      expect(raised).toEqual(expectedAlerts(other).map((e) => tuple(e.time, e.identity, e.severity, e.ip, e.rules[0]!)));
    } finally {
      rmSync(otherRoot, { recursive: true, force: true });
    }
  }, 60_000);

  it('gives the same AlertIds at batch sizes 1, 100 and 1000', async () => {
    for (const batchSize of [1, 100, 1000]) {
      const summary = await replay({ inputs: [tenant.logDir], serviceTagsFile: tenant.serviceTagsFile, batchSize, alertsToStdout: false });
      expect(summary.rejectsByReason, `batch size ${batchSize}`).toEqual({});
      expect(summary.records, `batch size ${batchSize}`).toBe(tenant.records);
      expect(summary.invocations, `batch size ${batchSize}`).toBe(Math.ceil(tenant.records / batchSize));
      expect(idsOf(summary), `batch size ${batchSize}`).toEqual(idsOf(perFile));
      expect(summary.suppressed, `batch size ${batchSize}`).toBe(perFile.suppressed);
    }
  }, 60_000);

  it.skipIf(!existsSync(cli))('the built CLI (README path, --service-tags) raises the same alerts', () => {
    const out = path.join(root, 'alerts-cli.ndjson');
    const run = spawnSync(process.execPath, [cli, 'replay', tenant.logDir, '--service-tags', tenant.serviceTagsFile, '--batch-size', '500', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    // A failure here while the in-process replay passes means dist/ is older than src/ (npm run build).
    const hint = `${cli} (is dist/ built from the current src/?)\n${run.stderr}`;
    expect(run.status, hint).toBe(0);
    expect(run.stderr, hint).toContain(`records ${tenant.records},`);
    expect(run.stderr, hint).toContain('rejects by reason: none');
    const rows = readFileSync(out, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AlertRow);
    expect(rows.map(tupleOfAlert).sort(), hint).toEqual(perFile.alerts.map(tupleOfAlert).sort());
    expect(rows.map((r) => r.AlertId).sort(), hint).toEqual(idsOf(perFile));
  }, 60_000);
});
