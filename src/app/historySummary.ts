import type { AlertSink, AlertSinkResult } from '../adapters/alertSink';
import { SEVERITIES, type AlertRow, type Severity } from '../core/alerts/alertRow';

/**
 * The alerts a backfill's history would have raised: the sink of history mode, which never sends
 * anything. It keeps counts, not rows (a month of history can raise thousands during the
 * learning period): by severity, by rule (every rule `Evidence.rules` names), and per identity
 * for the top of the list. An AlertId seen twice (a batch judged again after a retry) counts once.
 */
export interface WouldHaveRaised {
  readonly total: number;
  readonly bySeverity: Record<Severity, number>;
  readonly byRule: Record<string, number>;
  /** The identities with the most alerts, most first (ties: highest severity, then name). */
  readonly topIdentities: readonly TopIdentity[];
}

export interface TopIdentity {
  readonly tenantId: string;
  readonly objectId: string;
  readonly name: string;
  readonly alerts: number;
  readonly highest: Severity;
}

/** 10 identities in the summary: what an operator reads before the first live batch. */
export const TOP_IDENTITIES = 10;

export class HistoryAlertCollector implements AlertSink {
  private readonly seen = new Set<string>();
  private readonly bySeverity: Record<Severity, number> = { Low: 0, Medium: 0, High: 0 };
  private readonly byRule: Record<string, number> = {};
  private readonly identities = new Map<string, { tenantId: string; objectId: string; name: string; alerts: number; highest: Severity }>();
  private delta = emptyCounts();

  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    for (const row of rows) this.add(row);
    return { sent: rows.length, failed: [] };
  }

  summary(top = TOP_IDENTITIES): WouldHaveRaised {
    const rank = (s: Severity): number => SEVERITIES.indexOf(s);
    const topIdentities = [...this.identities.values()]
      .sort((a, b) => b.alerts - a.alerts || rank(b.highest) - rank(a.highest) || a.name.localeCompare(b.name) || a.objectId.localeCompare(b.objectId))
      .slice(0, top)
      .map((i) => ({ ...i }));
    return { total: this.seen.size, bySeverity: { ...this.bySeverity }, byRule: sortedCounts(this.byRule), topIdentities };
  }

  /** The counts added since the last call (for running totals kept elsewhere). */
  takeDelta(): { total: number; bySeverity: Record<string, number>; byRule: Record<string, number> } {
    const delta = this.delta;
    this.delta = emptyCounts();
    return delta;
  }

  private add(row: AlertRow): void {
    if (this.seen.has(row.AlertId)) return;
    this.seen.add(row.AlertId);
    this.bySeverity[row.Severity]++;
    this.delta.total++;
    this.delta.bySeverity[row.Severity] = (this.delta.bySeverity[row.Severity] ?? 0) + 1;
    const rules = row.Evidence['rules'];
    for (const rule of Array.isArray(rules) ? rules : []) {
      if (typeof rule !== 'string') continue;
      this.byRule[rule] = (this.byRule[rule] ?? 0) + 1;
      this.delta.byRule[rule] = (this.delta.byRule[rule] ?? 0) + 1;
    }
    const key = `${row.AADTenantId}|${row.IdentityObjectId}`;
    const identity = this.identities.get(key) ?? { tenantId: row.AADTenantId, objectId: row.IdentityObjectId, name: row.IdentityName, alerts: 0, highest: row.Severity };
    identity.alerts++;
    if (SEVERITIES.indexOf(row.Severity) > SEVERITIES.indexOf(identity.highest)) identity.highest = row.Severity;
    this.identities.set(key, identity);
  }
}

/** Adds counts into a tally in place. */
export function mergeCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Adds counts into running totals. */
export function addCounts(into: Readonly<Record<string, number>>, add: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...into };
  for (const [k, v] of Object.entries(add)) out[k] = (out[k] ?? 0) + v;
  return sortedCounts(out);
}

function sortedCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

function emptyCounts(): { total: number; bySeverity: Record<string, number>; byRule: Record<string, number> } {
  return { total: 0, bySeverity: {}, byRule: {} };
}
