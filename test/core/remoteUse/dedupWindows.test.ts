import { describe, expect, it } from 'vitest';
import type { AlertRow } from '../../../src/core/alerts/alertRow';
import { DedupWindows } from '../../../src/core/remoteUse/identityBaseline';
import { activityUse, at, ATTACKER_IP, AZURE_IP, identity, miSignIn, TENANT, tokenId } from '../../support/auditFixtures';
import { replayRecords } from '../../support/remoteUseHarness';

const DAY_MS = 86_400_000;
const WINDOW_MS = 5 * DAY_MS;

/** Decides the uses in the order given, as one key's dedup row would, and returns what each got. */
function decideAll(uses: readonly number[], late: (t: number) => boolean = () => false): string[] {
  let windows: DedupWindows | undefined;
  return uses.map((t) => {
    const id = `alert-${t}`.padEnd(32, '0');
    const outcome = windows === undefined ? 'raise' : windows.decide(t, id, WINDOW_MS, late(t));
    if (outcome === 'raise') windows = DedupWindows.of((windows ?? DedupWindows.none()).raised(t, id).toRow(undefined));
    return outcome;
  });
}

describe('dedup windows', () => {
  it('in event-time order: a raise, suppressions for 5 days, a raise again', () => {
    expect(decideAll([0, DAY_MS, 4.9 * DAY_MS, 5 * DAY_MS, 9 * DAY_MS, 10 * DAY_MS])).toEqual(['raise', 'suppress', 'suppress', 'raise', 'suppress', 'raise']);
  });

  it('a later use judged first raises; the earlier use moves the window back, so the next window opens where it would in order', () => {
    // In order: 0 raises, 1 is suppressed, 5 raises. Judged 1, 0, then 5: one alert per window again.
    expect(decideAll([DAY_MS, 0, 5 * DAY_MS])).toEqual(['raise', 'reanchor', 'raise']);
    // Without moving the window, day 5 would have been suppressed (inside 5 days of day 1).
  });

  it('a use inside an earlier window than the latest is suppressed by that window, not raised again', () => {
    // Windows at day 0 and day 6; a use of day 4 (late partition) belongs to day 0's window.
    expect(decideAll([0, 6 * DAY_MS, 4 * DAY_MS])).toEqual(['raise', 'raise', 'suppress']);
  });

  it('late uses more than a window before the last raise raise once per window, not once per use', () => {
    const late = (t: number) => t < 10 * DAY_MS;
    // Raised on day 20; days 3, 4 and 9 arrive late: day 3 raises (its own window), 4 is in it, 9 opens the next.
    expect(decideAll([20 * DAY_MS, 3 * DAY_MS, 4 * DAY_MS, 9 * DAY_MS], late)).toEqual(['raise', 'raise', 'suppress', 'raise']);
  });

  it('a redelivered raise is raised again with its AlertId, from any kept window', () => {
    const first = 'a'.repeat(32);
    const second = 'b'.repeat(32);
    const windows = DedupWindows.of(DedupWindows.none().raised(0, first).raised(6 * DAY_MS, second).toRow(undefined))!;
    expect(windows.decide(0, first, WINDOW_MS, false)).toBe('reemit');
    expect(windows.decide(6 * DAY_MS, second, WINDOW_MS, false)).toBe('reemit');
  });

  it('a key judged in order writes the row it always did (no window fields)', () => {
    const row = DedupWindows.none().raised(5, 'c'.repeat(32)).toRow(undefined);
    expect(Object.keys(row).sort()).toEqual(['alertId', 'raisedAt', 'recent', 'suppressed']);
  });
});

describe('out of order through the runner', () => {
  const id = identity(41);
  const history = Array.from({ length: 20 }, (_, day) => activityUse(id, at(day, 5), AZURE_IP, { token: `${id.name}-azure-${day}` }));
  const attack = (day: number, token: string) => activityUse(id, at(day, 9), ATTACKER_IP, { token });
  const highs = (alerts: readonly AlertRow[]) => alerts.filter((a) => a.Severity === 'High').map((a) => a.EventTime);

  it('two late uses in one window raise one alert (they raised one each before)', async () => {
    const backend = (await replayRecords(history, { batchSize: 50 })).backend;
    await replayRecords([attack(26, 'a')], { backend });
    const late = await replayRecords([attack(15, 'b'), attack(16, 'c')], { backend });
    expect(late.reports[0]!.detection.late).toBe(2);
    expect(highs(late.alerts)).toEqual([new Date(at(15, 9)).toISOString()]);
  });

  it('the same attack split over two lagging partitions raises what it raises in order', async () => {
    const attacks = [attack(21, 'a'), attack(22, 'b'), attack(26, 'c')];
    const inOrder = await replayRecords([...history, ...attacks], { batchSize: 1 });
    const backend = (await replayRecords(history, { batchSize: 50 })).backend;
    // The partition holding day 22 runs ahead of the one holding days 21 and 26.
    const ahead = await replayRecords([attacks[1]!], { backend });
    const behind = await replayRecords([attacks[0]!, attacks[2]!], { backend, batchSize: 1 });
    expect(highs(inOrder.alerts)).toEqual([at(21, 9), at(26, 9)].map((t) => new Date(t).toISOString()));
    // Day 22 raised first (it stands); day 21 joins its window, and day 26 opens the next, as in order.
    expect(highs([...ahead.alerts, ...behind.alerts])).toEqual([at(22, 9), at(26, 9)].map((t) => new Date(t).toISOString()));
  });

  it('a stolen token used before its first use was judged: the thief is the replay, the owner is not', async () => {
    const issued = at(20, 0);
    const token = tokenId(id, issued);
    const own = activityUse(id, at(20, 5), AZURE_IP, { token, iatMs: issued });
    const stolen = activityUse(id, at(20, 40), ATTACKER_IP, { token, iatMs: issued });
    const ownAgain = activityUse(id, at(20, 50), AZURE_IP, { token, iatMs: issued });
    const inOrder = await replayRecords([...history, miSignIn(id, issued), own, stolen, ownAgain], { batchSize: 1 });
    const backend = (await replayRecords([...history, miSignIn(id, issued)], { batchSize: 50 })).backend;
    const ahead = await replayRecords([stolen], { backend });
    const behind = await replayRecords([own, ownAgain], { backend, batchSize: 1 });
    const replays = (alerts: readonly AlertRow[]) => alerts.filter((a) => a.Evidence['rule'] === 'token-replay').map((a) => [a.Severity, a.IPAddress, a.EventTime, a.Evidence['firstUseIp']]);
    const highs = (alerts: readonly AlertRow[]) => alerts.map((a) => [a.Severity, a.IPAddress, a.EventTime]);
    expect(replays(inOrder.alerts)).toEqual([['High', ATTACKER_IP, new Date(at(20, 40)).toISOString(), AZURE_IP]]);
    // Judged alone, the thief's use raised the unusual ASN's High: the key its replay shares, so the
    // replay recognised when the owner's use comes is that window's, and nothing more is raised.
    expect(highs([...ahead.alerts, ...behind.alerts])).toEqual(highs(inOrder.alerts));
    expect(behind.reports.reduce((n, r) => n + r.detection.replays, 0)).toBe(1);
    // The thief's network is marked as replaying, as in order.
    const identityRows = backend.partitions.get(`mi|${TENANT}|${id.objectId}`)!.rows;
    expect(identityRows.has('rn|64501')).toBe(true);
    expect(inOrder.backend.partitions.get(`mi|${TENANT}|${id.objectId}`)!.rows.has('rn|64501')).toBe(true);
    // The owner's uses raise nothing: the first-use row now names the owner's network.
    expect(behind.alerts).toEqual([]);
    const row = [...backend.partitions].filter(([key]) => key.startsWith(`use|${TENANT}|`)).flatMap(([, p]) => [...p.rows.values()]).find((r) => r['rip'] === ATTACKER_IP);
    expect(row).toMatchObject({ ip: AZURE_IP, at: at(20, 5) });
  });

  it('knows when another window of the key was raised on the same UTC day: its alerts then keep their records\' AlertIds', () => {
    // A 1-day window: raised at 20:00 on day 10, moved back to 20:30 on day 9 by an earlier use,
    // so a use at 21:00 on day 10 is past it and raises a second window on day 10.
    const oneDay = DAY_MS;
    const first = 'first'.padEnd(32, '0');
    const second = 'second'.padEnd(32, '0');
    const day10At = (hour: number): number => 10 * DAY_MS + hour * 3_600_000;
    let windows = DedupWindows.none().raised(day10At(20), first);
    expect(windows.anotherRaiseOnDay(first, day10At(20))).toBe(false);
    expect(windows.decide(day10At(20) - oneDay + 1_800_000, 'earlier'.padEnd(32, '0'), oneDay, false)).toBe('reanchor');
    windows = DedupWindows.of(windows.toRow(undefined))!;
    expect(windows.decide(day10At(21), second, oneDay, false)).toBe('raise');
    windows = DedupWindows.of(windows.raised(day10At(21), second).toRow(undefined))!;
    expect(windows.anotherRaiseOnDay(second, day10At(21))).toBe(true);
    // Asked for the first, kept as an earlier window by its short id: the second is the day's other raise.
    expect(windows.anotherRaiseOnDay(first, day10At(20))).toBe(true);
    expect(windows.anotherRaiseOnDay(second, day10At(21) + DAY_MS)).toBe(false);
  });
});
