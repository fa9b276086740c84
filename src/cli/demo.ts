import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AlertRow } from '../core/alerts/alertRow';
import { generateDemoTenant, type PlantedAttack } from '../demo/tenant';
import type { PlantedTheft } from '../demo/endpointTelemetry';
import { endpointTelemetryForTenant, type PlantedIncident } from '../demo/stolenAndUsed';
import { parseTime } from '../core/records/time';
import { DEFAULT_TABLE_WIDTH, formatAlertTable } from './alertTable';
import { replay } from './replay';
import { formatReplaySummary } from './replayReport';

export interface DemoOptions {
  readonly store: string;
  readonly out?: string | undefined;
}

export interface DemoOutput {
  /** One line of the report (stdout). */
  readonly write: (line: string) => void;
  /** The alert table's width (the terminal's). */
  readonly width: number;
}

/**
 * `npm start`: writes the bundled demo tenant (45 days, three dozen identities, planted attacks),
 * its Azure service tags (`ServiceTags_Public_<first day>.json`) and a week of endpoint telemetry
 * (planted thefts among cloud agents, on some of the tenant's own VMs too, over the tenant's first
 * week) into a scratch folder, replays the Event Hub bodies with those service tags through the
 * real Table Storage adapter (Azurite started from node_modules), prints the alerts and checks them
 * against what was planted: the remote-use stories, the endpoint acts, and the stolen-and-used
 * incident that joins a theft on a VM with the use of its identity from outside Azure.
 */
export async function runDemo(options: DemoOptions, output?: DemoOutput): Promise<number> {
  const tenant = generateDemoTenant();
  const folder = mkdtempSync(path.join(tmpdir(), 'tokenwatch-demo-'));
  // Also when the process ends without unwinding (Ctrl-C, a failed write to stdout): 45 MB of scratch.
  const removeFolder = (): void => rmSync(folder, { recursive: true, force: true });
  process.once('exit', removeFolder);
  const write = output?.write ?? ((line: string): void => void process.stdout.write(`${line}\n`));
  try {
    const audit = path.join(folder, 'audit');
    mkdirSync(audit);
    for (const body of tenant.bodies) writeFileSync(path.join(audit, body.name), JSON.stringify(body.body));
    const { telemetry, incidents } = endpointTelemetryForTenant(tenant);
    const endpointFolder = path.join(folder, 'endpoint');
    mkdirSync(endpointFolder);
    for (const body of telemetry.bodies) writeFileSync(path.join(endpointFolder, body.name), JSON.stringify(body.body));
    // Beside the inputs, not among them: a replay reads every .json of its input folders as records.
    const tags = tenant.serviceTags;
    const serviceTagsFile = path.join(folder, tags.fileName);
    writeFileSync(serviceTagsFile, JSON.stringify(tags.document));
    const endpoint = telemetry.bodies.length;
    write(`TokenWatch demo: tenant ${tenant.tenantId}, ${tenant.identities.length} managed identities, ${tenant.bodies.length} Event Hub bodies` + (endpoint ? `, ${endpoint} endpoint telemetry files` : ''));
    write(`service tags: ${tags.fileName} (${tags.document.values.length - 1} AzureCloud.<region> tags over the demo's Azure blocks)`);
    write(`state store: ${options.store === 'azurite' ? 'Azure Table Storage (Azurite, started from node_modules, in memory)' : options.store}`);
    const inputs = endpoint ? [audit, endpointFolder] : [audit];
    const summary = await replay({ inputs, store: options.store, out: options.out, alertsToStdout: false, serviceTagsFile });
    write('');
    write(formatAlertTable(summary.alerts, output?.width ?? DEFAULT_TABLE_WIDTH));
    write('');
    for (const line of formatReplaySummary(summary)) write(line);
    write('');
    const check = checkPlanted(tenant.planted, summary.alerts);
    for (const line of check.lines) write(line);
    write(`planted remote-use stories: ${check.matched} of ${tenant.planted.length} behaved as planted`);
    const theft = checkPlantedTheft(telemetry.planted, summary.alerts);
    for (const line of theft.lines) write(line);
    write(`planted endpoint acts (thefts and benign controls): ${theft.matched} of ${theft.total} behaved as planted`);
    const joined = checkStolenAndUsed(incidents, telemetry.planted, tenant.planted, summary.alerts);
    for (const line of joined.lines) write(line);
    write(
      `stolen-and-used incidents: ${joined.incidentsMatched} of ${joined.incidents} behaved as planted; ` +
        `controls without an incident: ${joined.controlsMatched} of ${joined.controls}; unexpected incidents: ${joined.unexpected}`,
    );
    const allJoined = joined.incidentsMatched === joined.incidents && joined.controlsMatched === joined.controls && joined.unexpected === 0;
    return check.matched === tenant.planted.length && theft.matched === theft.total && allJoined ? 0 : 1;
  } finally {
    process.off('exit', removeFolder);
    removeFolder();
  }
}

/** Compares each planted story with the alerts: raised with the planted severity, or not raised. */
export function checkPlanted(planted: readonly PlantedAttack[], alerts: readonly AlertRow[]): { matched: number; lines: string[] } {
  const lines: string[] = [];
  let matched = 0;
  for (const p of planted) {
    const alert = useAlertOf(p, alerts);
    const got = alert?.Severity ?? null;
    const ok = p.expectAlert ? got === p.expectedSeverity : got === null;
    if (ok) matched++;
    lines.push(`  ${ok ? 'ok  ' : 'MISS'} ${p.id.padEnd(10)} expected ${p.expectAlert ? (p.expectedSeverity ?? 'none') : 'no alert'}, got ${got ?? 'no alert'}: ${p.description}`);
  }
  return { matched, lines };
}

/**
 * Each planted endpoint act (one theft may be seen in several records) must raise a theft alert on
 * its host at one of its records' times; each benign control must raise none for its program.
 */
export function checkPlantedTheft(planted: readonly PlantedTheft[], alerts: readonly AlertRow[]): { matched: number; total: number; lines: string[] } {
  const theftAlerts = alerts.filter((a) => a.Detector === 'TokenTheft');
  const lines: string[] = [];
  let matched = 0;
  const acts = actsOf(planted);
  for (const [act, records] of acts) {
    const first = records[0]!;
    const host = first.hostName.toLowerCase();
    const ok = first.expectAlert
      ? theftAlertsOf(records, alerts).length > 0
      : !theftAlerts.some((a) => a.HostName.toLowerCase() === host && records.some((r) => r.processPath.toLowerCase() === a.ProcessPath.toLowerCase()));
    if (ok) matched++;
    lines.push(`  ${ok ? 'ok  ' : 'MISS'} ${act.padEnd(10)} ${first.expectAlert ? 'alert expected' : 'no alert expected'}: ${first.description}`);
  }
  return { matched, total: acts.size, lines };
}

export interface StolenAndUsedCheck {
  /** Planted incidents (expected TheftAndUse alerts), and how many were raised as planted. */
  readonly incidents: number;
  readonly incidentsMatched: number;
  /** Controls (a theft alone, a use alone), and how many raised their own alert and no incident. */
  readonly controls: number;
  readonly controlsMatched: number;
  /** TheftAndUse alerts no planted incident accounts for. */
  readonly unexpected: number;
  readonly lines: string[];
}

/**
 * Each planted incident must be exactly one TheftAndUse alert naming the planted theft's alert (one
 * of its act's theft alerts) and the planted use's alert, tied by the expected machine link; each
 * control must raise its own alert and be named by no TheftAndUse alert; any other TheftAndUse
 * alert is unexpected.
 */
export function checkStolenAndUsed(
  incidents: readonly PlantedIncident[],
  thefts: readonly PlantedTheft[],
  uses: readonly PlantedAttack[],
  alerts: readonly AlertRow[],
): StolenAndUsedCheck {
  const joins = alerts.filter((a) => a.Detector === 'TheftAndUse');
  const acts = actsOf(thefts);
  const accounted = new Set<AlertRow>();
  const lines: string[] = [];
  let incidentsMatched = 0;
  let controlsMatched = 0;
  for (const incident of incidents) {
    const theftIds = new Set(incident.theftAct === null ? [] : theftAlertsOf(acts.get(incident.theftAct) ?? [], alerts).map((a) => a.AlertId));
    const planted = incident.useStory === null ? undefined : uses.find((u) => u.id === incident.useStory);
    const useId = planted === undefined ? undefined : useAlertOf(planted, alerts)?.AlertId;
    const missing = [
      ...(incident.theftAct !== null && theftIds.size === 0 ? ['no theft alert'] : []),
      ...(incident.useStory !== null && useId === undefined ? ['no remote-use alert'] : []),
    ];
    const naming = joins.filter((j) => theftIds.has(String(j.Evidence['theftAlertId'])) || (useId !== undefined && j.Evidence['remoteUseAlertId'] === useId));
    for (const j of naming) accounted.add(j);
    let ok: boolean;
    let got: string;
    if (incident.expectIncident) {
      const exact = naming.filter((j) => theftIds.has(String(j.Evidence['theftAlertId'])) && j.Evidence['remoteUseAlertId'] === useId);
      const join = exact[0];
      ok = exact.length === 1 && naming.length === 1 && join !== undefined && join.Severity === 'High' && join.Evidence['machineLink'] === incident.expectedLink;
      got = naming.length === 0 ? 'no incident' : naming.map((j) => `${j.Severity} incident ${j.AlertId.slice(0, 8)} (link ${String(j.Evidence['machineLink'])})`).join(', ');
      if (ok) incidentsMatched++;
    } else {
      ok = naming.length === 0 && (incident.theftAct === null || theftIds.size > 0) && (incident.useStory === null || useId !== undefined);
      got = naming.length === 0 ? 'no incident' : `${naming.length} incident(s)`;
      if (ok) controlsMatched++;
    }
    const expected = incident.expectIncident ? `one incident (link ${incident.expectedLink})` : 'no incident';
    const halves = missing.length === 0 ? '' : ` (${missing.join(', ')})`;
    lines.push(`  ${ok ? 'ok  ' : 'MISS'} ${incident.id.padEnd(10)} expected ${expected}, got ${got}${halves}: ${incident.description}`);
  }
  const unexpected = joins.filter((j) => !accounted.has(j));
  for (const j of unexpected) lines.push(`  MISS unexpected  ${j.AlertName} (theft ${String(j.Evidence['theftAlertId'])}, use ${String(j.Evidence['remoteUseAlertId'])})`);
  const expectedCount = incidents.filter((i) => i.expectIncident).length;
  return { incidents: expectedCount, incidentsMatched, controls: incidents.length - expectedCount, controlsMatched, unexpected: unexpected.length, lines };
}

/** The planted records grouped by act, in planted order. */
function actsOf(planted: readonly PlantedTheft[]): Map<string, PlantedTheft[]> {
  const acts = new Map<string, PlantedTheft[]>();
  for (const p of planted) acts.set(p.act, [...(acts.get(p.act) ?? []), p]);
  return acts;
}

/** The theft alerts raised for one act: on its host, at one of its records' times. */
function theftAlertsOf(records: readonly PlantedTheft[], alerts: readonly AlertRow[]): AlertRow[] {
  const first = records[0];
  if (first === undefined) return [];
  const host = first.hostName.toLowerCase();
  const times = new Set(records.map((r) => parseTime(r.time)).filter((t): t is number => t !== undefined).map((t) => new Date(t).toISOString()));
  return alerts.filter((a) => a.Detector === 'TokenTheft' && a.HostName.toLowerCase() === host && times.has(a.EventTime));
}

/** The remote-use alert of a planted use: at its record's time, from its address. */
function useAlertOf(p: PlantedAttack, alerts: readonly AlertRow[]): AlertRow | undefined {
  const at = new Date(Date.parse(p.time.replace(/(\.\d{3})\d+Z$/, '$1Z'))).toISOString();
  return alerts.find((a) => a.Detector === 'RemoteTokenUse' && a.EventTime === at && a.IPAddress === p.ip);
}
