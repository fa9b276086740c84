import { alertId, windowAlertId } from '../alerts/alertId';
import type { AlertRow, Severity, TheftVector } from '../alerts/alertRow';
import { decideDedup, DEDUP_WINDOW_MS, dedupStateFromRow, dedupStateToRow, type DedupState } from '../alerts/dedup';
import { boundId, boundText } from '../bounds/textBounds';
import type { EndpointEvent } from '../records/endpoint/endpointEvent';
import { tableKey } from '../state/keys';
import type { PartitionSnapshot, RowChange, RowValue } from '../state/partition';
import { asAzurePowerShellHost } from './azurePowerShellHost';
import { isInterpreterImage, profileCaller, type CallerProfile } from './callerProfile';
import { readsOwnPodToken } from './podOwnToken';
import { decideTrust, trustedByExecutablePath, type TheftAllowlist, type TrustDecision } from './theftAllowlist';
import { THEFT_RULES, type TheftMatch, type TheftRule } from './theftRules';
import { versionlessPathKey } from './versionlessPath';
import type { CallerStanding } from './theftSeverity';
import { THEFT_DETECTOR, theftAlert } from './theftAlert';

/**
 * The token-theft detector: a pure function of a batch of endpoint events and the state
 * partitions they touch (one per tenant + host), returning alert rows and the row changes to commit.
 *
 * Per host it keeps two kinds of rows:
 * - `first|<vector>|<program>`: (program = callerIdentity: the path with version segments collapsed)
 *   the first time a program outside the allowlist that is not a
 *   shell / LOLBin / temp-folder program reached for a token of that vector. That first request
 *   raises an alert ("first time this executable asked for a token on this host"); later ones are a
 *   known caller and raise and write nothing. The row is kept, so a steady caller costs one alert,
 *   two when it was first seen only connecting (`strength` endpoint-only) and later with a token path.
 * - `dedup|<vector>|<program>|<target>`: the 5-day dedup of the suspicious callers (decideDedup):
 *   one alert per host + program + vector + target per window, suppressed ones counted on the row.
 *
 * Determinism: events are judged in event-time order (ties by record id), so the same events give
 * the same alerts whatever the batch order; AlertIds come from the record and rule, and a
 * redelivered record re-emits its alert (same AlertId) without changing state. Rows are written
 * only when they change.
 */
export interface TheftDetectorConfig {
  readonly allowlist: TheftAllowlist;
  /** Defaults to THEFT_RULES. */
  readonly rules?: readonly TheftRule[];
  /** Defaults to DEDUP_WINDOW_MS (5 days). */
  readonly dedupWindowMs?: number;
}

export interface TheftDetectionSummary {
  readonly events: number;
  /** Rule matches before the allowlist. */
  readonly matches: number;
  /** Matches dropped because the program is allowlisted (by path, script path or host application). */
  readonly trusted: number;
  /** Matches by a program already seen on the host (no alert, no write). */
  readonly knownCallers: number;
  readonly alerts: number;
  readonly alertsBySeverity: Readonly<Record<Severity, number>>;
  readonly alertsByVector: Readonly<Record<TheftVector, number>>;
  /** Alerts suppressed by dedup and counted on the dedup row. */
  readonly suppressed: number;
  /** Alerts emitted again for a redelivered record (same AlertId, no state change). */
  readonly reemitted: number;
  readonly rowsChanged: number;
}

export interface TheftDetection {
  readonly alerts: AlertRow[];
  readonly changes: RowChange[];
  readonly summary: TheftDetectionSummary;
}


/** One partition per tenant + host: `host|<tenant>|<host id or lower-case host name>`. */
export function hostPartitionKey(event: EndpointEvent): string {
  const host = (event.hostId !== '' ? event.hostId : event.hostName).toLowerCase();
  return tableKey('host', event.tenantId, host);
}

/**
 * An event that matched a vector with a caller the allowlist does not trust: the only kind of
 * event that reads or writes host state. Almost all endpoint telemetry is not one (most records
 * match no vector, and most matches are the cloud's own agents), so most batches load nothing.
 */
export interface TheftCandidate {
  readonly event: EndpointEvent;
  readonly partitionKey: string;
  readonly caller: CallerProfile;
  readonly suspects: readonly { readonly rule: TheftRule; readonly match: TheftMatch; readonly trust: Exclude<TrustDecision, { verdict: 'trusted' }> }[];
}

/** The stateless half of the detector: rules and allowlists applied, candidates in judging order. */
export interface ScreenedEvents {
  readonly events: number;
  readonly matches: number;
  readonly trusted: number;
  /** In event-time order (ties by record id, then host), the order state is judged in. */
  readonly candidates: readonly TheftCandidate[];
}

export function screenEvents(events: readonly EndpointEvent[], config: TheftDetectorConfig): ScreenedEvents {
  const screen = new TheftScreen(config);
  for (let e = 0; e < events.length; e++) screen.add(events[e]!);
  return screen.screened();
}

/**
 * screenEvents one event at a time, for a caller that screens events as they are parsed: an event
 * that is not a candidate is counted and kept nowhere, so it is garbage at once.
 */
export class TheftScreen {
  private readonly rules: readonly TheftRule[];
  private events = 0;
  private matches = 0;
  private trusted = 0;
  private readonly candidates: TheftCandidate[] = [];

  constructor(private readonly config: TheftDetectorConfig) {
    this.rules = config.rules ?? THEFT_RULES;
  }

  add(event: EndpointEvent): void {
    this.events++;
    const { rules, config } = this;
    let caller: CallerProfile | undefined;
    // Made for the few events with an untrusted match only.
    let suspects: TheftCandidate['suspects'][number][] | undefined;
    // Indexed loops: the rules return several kinds of array, and for-of over them allocated an iterator per rule and event.
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const found = rule.match(event);
      for (let m = 0; m < found.length; m++) {
        const match = found[m]!;
        this.matches++;
        // The token file pattern or the endpoint service: an entry scoped to some token files (tokenFiles) or to one cloud is trusted for those only.
        const matched = match.service;
        // An agent at its install location is trusted whatever script it runs: no caller profile needed (most records).
        if (trustedByExecutablePath(event, rule.vector, config.allowlist, matched)) {
          this.trusted++;
          continue;
        }
        caller ??= asAzurePowerShellHost(event, profileCaller(event.process));
        // A pod's program reading its own mounted token is the token used as designed (podOwnToken.ts).
        if (caller.tier === 'other' && readsOwnPodToken(event, matched)) {
          this.trusted++;
          continue;
        }
        const trust = decideTrust(event, caller, rule.vector, config.allowlist, matched);
        if (trust.verdict === 'trusted') this.trusted++;
        else (suspects ??= []).push({ rule, match, trust });
      }
    }
    if (suspects !== undefined) this.candidates.push({ event, partitionKey: hostPartitionKey(event), caller: caller as CallerProfile, suspects });
  }

  /** What the events added so far came to, candidates in judging order. */
  screened(): ScreenedEvents {
    const candidates = [...this.candidates].sort(
      (a, b) => a.event.timeMs - b.event.timeMs || compare(a.event.source.recordId, b.event.source.recordId) || compare(a.partitionKey, b.partitionKey),
    );
    return { events: this.events, matches: this.matches, trusted: this.trusted, candidates };
  }
}

/** The host partitions detectScreened will read (sorted, unique): load them before calling it. */
export function partitionKeysForScreened(screened: ScreenedEvents): string[] {
  return [...new Set(screened.candidates.map((c) => c.partitionKey))].sort();
}

export function detectTheft(
  events: readonly EndpointEvent[],
  partitions: ReadonlyMap<string, PartitionSnapshot>,
  config: TheftDetectorConfig,
): TheftDetection {
  return detectScreened(screenEvents(events, config), partitions, config);
}

/** The stateful half: first-seen programs and dedup over the candidates' host partitions. */
export function detectScreened(screened: ScreenedEvents, partitions: ReadonlyMap<string, PartitionSnapshot>, config: TheftDetectorConfig): TheftDetection {
  const windowMs = config.dedupWindowMs ?? DEDUP_WINDOW_MS;
  const state = new WorkingState(partitions);
  const alerts = new Map<string, AlertRow>();
  const counts = { matches: screened.matches, trusted: screened.trusted, knownCallers: 0, suppressed: 0, reemitted: 0 };

  for (const { event, partitionKey, caller, suspects } of screened.candidates) {
    for (const { rule, match, trust } of suspects) {
      const program = programKey(event, caller);
      const standing: CallerStanding =
        trust.verdict === 'name-only' || trust.verdict === 'user-writable'
          ? trust.verdict
          : caller.tier === 'suspicious'
            ? 'suspicious'
            : isInterpreterImage(caller.image) && (event.process.pathKey === '' || (event.process.commandLine.trim() === '' && rule.vector !== 'TokenEndpoint'))
              ? 'unidentified-interpreter'
              : 'first-time';
      const build = (id: string): AlertRow => theftAlert({ event, rule, match, standing, caller, trust, id });

      // Suspicious callers, and interpreters whose telemetry does not say what they run, are never
      // known callers: each is raised once per target and dedup window. (A connection to a token
      // endpoint with no command line is Sysmon 3's and Security 5156's every time: a system python
      // there stays one first-time caller per host.)
      if (standing === 'suspicious' || standing === 'unidentified-interpreter') {
        const rowKey = tableKey('dedup', rule.vector, program, match.targetKey);
        const candidate = alertId([THEFT_DETECTOR, rule.id, partitionKey, event.source.recordId, match.targetKey]);
        const decision = decideDedup(dedupStateFromRow(state.get(partitionKey, rowKey)), event.timeMs, candidate, windowMs);
        if (decision.kind === 'suppress') {
          if (decision.counted) {
            counts.suppressed++;
            state.set(partitionKey, rowKey, dedupRow(decision.next, rule.vector, event, match));
          }
          continue;
        }
        if (decision.kind === 'reemit') counts.reemitted++;
        else state.set(partitionKey, rowKey, dedupRow(decision.next, rule.vector, event, match));
        // The candidate names the raising record (its redelivery is sent again); the AlertId names
        // the window (windowAlertId). Two raises of a key are a dedup window (at least a day) apart.
        const id = windowAlertId([THEFT_DETECTOR, rule.vector, partitionKey, program, match.targetKey], decision.next.lastRaisedAt);
        if (!alerts.has(id)) alerts.set(id, build(id));
        continue;
      }

      // First-seen identity ignores version segments, so a self-updating agent is one program across updates.
      const identity = callerIdentity(event, caller);
      const rowKey = tableKey('first', rule.vector, identity);
      const seen = state.get(partitionKey, rowKey);
      // A program known only from bare connections is first-time again the first time a token path
      // is seen: Defender logs one connection as a ConnectionSuccess row and then, with the URL, an
      // HttpConnectionInspected row, and the bare row must not make the token request known.
      const tokenSeen = match.strength !== 'endpoint-only';
      if (seen === undefined || (tokenSeen && seen['strength'] === 'endpoint-only')) {
        // Named as a window is (windowAlertId), not by the record: a program becomes known once per
        // strength (a bare connection, then a token path).
        const id = windowAlertId([THEFT_DETECTOR, 'first-seen', partitionKey, rule.vector, identity, tokenSeen ? 'token-path' : 'endpoint-only'], event.timeMs);
        // Values from the record are bounded (textBounds.ts): a path of megabytes would fail the write.
        state.set(partitionKey, rowKey, {
          kind: 'first-seen',
          vector: rule.vector,
          program: boundText(identity),
          processPath: boundText(event.process.path),
          firstSeenAt: seen === undefined ? event.timeMs : Number(seen['firstSeenAt'] ?? event.timeMs),
          strength: tokenSeen ? 'token-path' : 'endpoint-only',
          recordId: boundId(event.source.recordId),
          alertId: id,
        });
        if (!alerts.has(id)) alerts.set(id, build(id));
      } else if (seen['recordId'] === boundId(event.source.recordId) && typeof seen['alertId'] === 'string') {
        // The record that made this program known is being judged again (redelivery): same alert again.
        if (!alerts.has(seen['alertId'])) {
          counts.reemitted++;
          alerts.set(seen['alertId'], build(seen['alertId']));
        }
      } else counts.knownCallers++;
    }
  }

  const rows = [...alerts.values()];
  const changes = state.changes();
  const alertsBySeverity: Record<Severity, number> = { Low: 0, Medium: 0, High: 0 };
  const alertsByVector: Record<TheftVector, number> = { TokenEndpoint: 0, ServiceAccountToken: 0, TokenCache: 0 };
  for (const row of rows) {
    alertsBySeverity[row.Severity]++;
    if (row.Vector !== '') alertsByVector[row.Vector]++;
  }
  return {
    alerts: rows,
    changes,
    summary: { events: screened.events, ...counts, alerts: rows.length, alertsBySeverity, alertsByVector, rowsChanged: changes.length },
  };
}

/** The program as the dedup state knows it: its normalised path (or name), plus the script or module an interpreter runs. */
function programKey(event: EndpointEvent, caller: CallerProfile): string {
  return programOf(event, caller, (path) => path);
}

/**
 * The program as the first-seen state knows it: programKey with the version segments of the
 * executable and script paths collapsed (versionlessPath.ts), so `…/guestagent_2.7.41491.1102_…/x.exe`
 * and `…/guestagent_2.7.41491.1193_…/x.exe` are one caller. Dedup keeps the exact path.
 */
export function callerIdentity(event: EndpointEvent, caller: CallerProfile): string {
  return programOf(event, caller, versionlessPathKey);
}

/**
 * The executable's path (or name) with what an interpreter runs: its script, or its module (`-m
 * azure.cli` seen once does not make `-m evil` known on that host); `pathKey` shapes both paths.
 * In a container whose image the telemetry names, the image's repository comes first: every image
 * has its own `/usr/bin/python3` and `/app/server`, and a node's sensor sees all its pods' processes
 * as one host's, so one image's program asking for tokens does not make another image's known.
 * The tag and digest are left out: a new release of the same image is the same program.
 */
function programOf(event: EndpointEvent, caller: CallerProfile, pathKey: (path: string) => string): string {
  const path = event.process.pathKey !== '' ? pathKey(event.process.pathKey) : `name:${caller.image}`;
  const executable = event.process.containerImage !== '' ? `image:${imageRepository(event.process.containerImage)} ${path}` : path;
  if (caller.scriptKey !== '') return `${executable} ${pathKey(caller.scriptKey)}`;
  return caller.module !== '' ? `${executable} -m ${caller.module.toLowerCase()}` : executable;
}

/** `registry:5000/team/app:1.2@sha256:…` → `registry:5000/team/app`, lower-case. */
export function imageRepository(image: string): string {
  const name = image.split('@')[0]!.toLowerCase();
  const lastSlash = name.lastIndexOf('/');
  const tag = name.indexOf(':', lastSlash + 1);
  return tag === -1 ? name : name.slice(0, tag);
}

function dedupRow(next: DedupState, vector: TheftVector, event: EndpointEvent, match: TheftMatch): Record<string, RowValue> {
  return { kind: 'dedup', vector, processPath: boundText(event.process.path), target: boundText(match.target), ...dedupStateToRow(next) };
}

/** Partition rows as the batch changes them; changes() lists only rows whose data differs from the loaded snapshot. */
class WorkingState {
  private readonly written = new Map<string, Map<string, Readonly<Record<string, RowValue>>>>();

  constructor(private readonly snapshots: ReadonlyMap<string, PartitionSnapshot>) {}

  get(partitionKey: string, rowKey: string): Readonly<Record<string, RowValue>> | undefined {
    return this.written.get(partitionKey)?.get(rowKey) ?? this.snapshots.get(partitionKey)?.rows.get(rowKey);
  }

  set(partitionKey: string, rowKey: string, data: Readonly<Record<string, RowValue>>): void {
    let rows = this.written.get(partitionKey);
    if (rows === undefined) {
      rows = new Map();
      this.written.set(partitionKey, rows);
    }
    rows.set(rowKey, data);
  }

  changes(): RowChange[] {
    const changes: RowChange[] = [];
    for (const [partitionKey, rows] of [...this.written].sort(([a], [b]) => compare(a, b))) {
      for (const [rowKey, data] of [...rows].sort(([a], [b]) => compare(a, b))) {
        const before = this.snapshots.get(partitionKey)?.rows.get(rowKey);
        if (before === undefined || !sameData(before, data)) changes.push({ kind: 'upsert', partitionKey, rowKey, data });
      }
    }
    return changes;
  }
}

function sameData(a: Readonly<Record<string, RowValue>>, b: Readonly<Record<string, RowValue>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
