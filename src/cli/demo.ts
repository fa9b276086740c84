import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AlertRow } from '../core/alerts/alertRow';
import { generateDemoTenant, type PlantedAttack } from '../demo/tenant';
import { generateEndpointTelemetry, type PlantedTheft } from '../demo/endpointTelemetry';
import { parseTime } from '../core/records/time';
import { formatAlertTable } from './alertTable';
import { replay } from './replay';
import { printSummary } from './tokenwatch';

export interface DemoOptions {
  readonly store: string;
  readonly out?: string | undefined;
}

/**
 * `npm start`: writes the bundled demo tenant (45 days, three dozen identities, planted attacks),
 * its Azure service tags (`ServiceTags_Public_<first day>.json`) and a week of endpoint telemetry
 * (planted thefts among cloud agents) into a scratch folder, replays the Event Hub bodies with
 * those service tags through the real Table Storage adapter (Azurite started from node_modules),
 * prints the alerts and checks them against what was planted.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const tenant = generateDemoTenant();
  const folder = mkdtempSync(path.join(tmpdir(), 'tokenwatch-demo-'));
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    const audit = path.join(folder, 'audit');
    mkdirSync(audit);
    for (const body of tenant.bodies) writeFileSync(path.join(audit, body.name), JSON.stringify(body.body));
    const telemetry = generateEndpointTelemetry();
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
    write(formatAlertTable(summary.alerts));
    write('');
    printSummary(summary, write);
    write('');
    const check = checkPlanted(tenant.planted, summary.alerts);
    for (const line of check.lines) write(line);
    write(`planted remote-use stories: ${check.matched} of ${tenant.planted.length} behaved as planted`);
    const theft = checkPlantedTheft(telemetry.planted, summary.alerts);
    for (const line of theft.lines) write(line);
    write(`planted endpoint acts (thefts and benign controls): ${theft.matched} of ${theft.total} behaved as planted`);
    return check.matched === tenant.planted.length && theft.matched === theft.total ? 0 : 1;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Compares each planted story with the alerts: raised with the planted severity, or not raised. */
export function checkPlanted(planted: readonly PlantedAttack[], alerts: readonly AlertRow[]): { matched: number; lines: string[] } {
  const lines: string[] = [];
  let matched = 0;
  for (const p of planted) {
    const at = new Date(Date.parse(p.time.replace(/(\.\d{3})\d+Z$/, '$1Z'))).toISOString();
    const alert = alerts.find((a) => a.Detector === 'RemoteTokenUse' && a.EventTime === at && a.IPAddress === p.ip);
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
  const acts = new Map<string, PlantedTheft[]>();
  for (const p of planted) acts.set(p.act, [...(acts.get(p.act) ?? []), p]);
  const theftAlerts = alerts.filter((a) => a.Detector === 'TokenTheft');
  const lines: string[] = [];
  let matched = 0;
  for (const [act, records] of acts) {
    const first = records[0]!;
    const host = first.hostName.toLowerCase();
    const times = new Set(records.map((r) => parseTime(r.time)).filter((t): t is number => t !== undefined).map((t) => new Date(t).toISOString()));
    const ok = first.expectAlert
      ? theftAlerts.some((a) => a.HostName.toLowerCase() === host && times.has(a.EventTime))
      : !theftAlerts.some((a) => a.HostName.toLowerCase() === host && records.some((r) => r.processPath.toLowerCase() === a.ProcessPath.toLowerCase()));
    if (ok) matched++;
    lines.push(`  ${ok ? 'ok  ' : 'MISS'} ${act.padEnd(10)} ${first.expectAlert ? 'alert expected' : 'no alert expected'}: ${first.description}`);
  }
  return { matched, total: acts.size, lines };
}
