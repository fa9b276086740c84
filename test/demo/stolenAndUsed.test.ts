import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAsnDataFile } from '../../src/adapters/asnData';
import { checkStolenAndUsed } from '../../src/cli/demo';
import { replay, type ReplaySummary } from '../../src/cli/replay';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { machineOfAlert } from '../../src/core/correlation/machineLink';
import { parseEndpointRecord } from '../../src/core/records/endpoint/parseEndpointRecord';
import { parseTime } from '../../src/core/records/time';
import { generateEndpointTelemetry, type PlantedTheft } from '../../src/demo/endpointTelemetry';
import { endpointTelemetryForTenant, tenantStartMs, type DemoEndpointTelemetry, type PlantedIncident } from '../../src/demo/stolenAndUsed';
import { generateDemoTenant, type DemoTenant, type PlantedAttack } from '../../src/demo/tenant';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

let tenant: DemoTenant;
let demo: DemoEndpointTelemetry;

beforeAll(() => {
  tenant = generateDemoTenant();
  demo = endpointTelemetryForTenant(tenant);
});

const timeOf = (value: string): number => parseTime(value)!;
const incident = (id: string): PlantedIncident => demo.incidents.find((i) => i.id === id)!;
const actRecords = (act: string | null): PlantedTheft[] => demo.telemetry.planted.filter((p) => p.act === act);
const use = (id: string | null): PlantedAttack => tenant.planted.find((p) => p.id === id)!;
const label = (host: string): string => host.toLowerCase().split('.')[0]!;
const parsedRecords = () =>
  demo.telemetry.bodies
    .flatMap((b) => b.body.records)
    .map((r, i) => parseEndpointRecord(r, `record ${i}`))
    .flatMap((o) => (o.ok === true ? [o.value] : []));

describe('the stolen-and-used story: the tenant and the endpoint telemetry describe one estate', () => {
  it('plants one incident and two controls, with the default seeds RPL1 on vm-contoso-app-01', () => {
    expect(demo.incidents.map((i) => [i.id, i.kind, i.expectIncident])).toEqual([
      ['SU1', 'stolen-and-used', true],
      ['SU-C1', 'theft-only', false],
      ['SU-C2', 'use-only', false],
    ]);
    const su1 = incident('SU1');
    expect(su1.useStory).toBe('RPL1');
    expect(su1.machineName).toBe('vm-contoso-app-01');
    expect(su1.theftAct).toBe('intruder-curl-imds');
    expect(su1.expectedLink).toBe('host-name');
  });

  it('starts the telemetry on the tenant’s first day, so the week overlaps the tenant’s first days', () => {
    const start = tenantStartMs(tenant);
    expect(new Date(start).toISOString()).toBe('2026-09-01T00:00:00.000Z');
    const times = parsedRecords().map((e) => e.timeMs);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(start);
    expect(Math.max(...times)).toBeLessThan(start + 7 * DAY_MS);
  });

  it('makes the victim VM one machine on both sides: same name, same resource id, reporting every day', () => {
    const su1 = incident('SU1');
    const identity = tenant.identities.find((i) => i.resourceId === use(su1.useStory).identityResourceId)!;
    expect(identity.kind).toBe('virtualMachine');
    expect(identity.name).toBe(su1.machineName);
    expect(su1.machineResourceId).toBe(identity.resourceId);
    const host = demo.telemetry.hosts.find((h) => label(h.name) === identity.name)!;
    expect(host.name).toBe(`${identity.name}.contoso.com`);
    expect(host.resourceId).toBe(identity.resourceId);
    expect(host.kind).toBe('windows-mde');
    // The host reports Defender telemetry every day, not only the theft.
    const days = new Set(parsedRecords().filter((e) => e.hostName === host.name).map((e) => new Date(e.timeMs).toISOString().slice(0, 10)));
    expect(days.size).toBe(7);
    for (const p of actRecords(su1.theftAct)) expect(p.format).toBe('mde');
  });

  it('plants the theft 10–90 minutes before the use and after the token was issued: one 24-hour window', () => {
    const su1 = incident('SU1');
    const planted = use(su1.useStory);
    const useMs = timeOf(planted.time);
    const records = actRecords(su1.theftAct);
    expect(records.map((r) => r.recordType)).toEqual(['AdvancedHunting-DeviceProcessEvents', 'AdvancedHunting-DeviceNetworkEvents']);
    for (const r of records) {
      expect(r.hostName).toBe(`${su1.machineName}.contoso.com`);
      expect(r.processPath).toBe('C:\\Windows\\System32\\curl.exe');
      expect(timeOf(r.time)).toBeGreaterThan(timeOf(planted.tokenIssuedAt));
      expect(useMs - timeOf(r.time)).toBeGreaterThanOrEqual(9 * MINUTE_MS);
      expect(useMs - timeOf(r.time)).toBeLessThanOrEqual(90 * MINUTE_MS);
    }
    expect(records[0]!.commandLine).toContain('169.254.169.254/metadata/identity/oauth2/token');
  });

  it('puts the theft-only control on a VM whose identity no story uses and the use-only control on a VM without telemetry', () => {
    const c1 = incident('SU-C1');
    const vm = tenant.identities.find((i) => i.resourceId === c1.machineResourceId)!;
    expect(vm.kind).toBe('virtualMachine');
    expect(vm.onPremises).toBeNull();
    expect(tenant.planted.some((p) => p.identityResourceId === vm.resourceId)).toBe(false);
    expect(actRecords(c1.theftAct).map((p) => p.hostName)).toEqual([`${vm.name}.contoso.com`]);

    const c2 = incident('SU-C2');
    const other = use(c2.useStory);
    expect(other.expectAlert).toBe(true);
    expect(other.identityResourceId).toMatch(/\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i);
    expect(demo.telemetry.hosts.some((h) => label(h.name) === c2.machineName)).toBe(false);
    expect(timeOf(other.time)).toBeLessThan(tenantStartMs(tenant) + 7 * DAY_MS);
  });

  it('leaves the generated hosts’ telemetry as it was, and is deterministic', () => {
    const plain = generateEndpointTelemetry();
    const tenantHosts = new Set(demo.telemetry.hosts.slice(plain.hosts.length).map((h) => h.name));
    expect(demo.telemetry.hosts.slice(0, plain.hosts.length)).toEqual(plain.hosts);
    expect([...tenantHosts].sort()).toEqual([`${incident('SU1').machineName}.contoso.com`, `${incident('SU-C1').machineName}.contoso.com`].sort());
    const hostOf = (r: unknown): string => {
      const o = r as Record<string, Record<string, unknown>>;
      return String(o['properties']?.['DeviceName'] ?? (o as Record<string, unknown>)['Computer'] ?? o['host']?.['name']);
    };
    const ours = demo.telemetry.bodies.flatMap((b) => b.body.records).filter((r) => !tenantHosts.has(hostOf(r)));
    expect(JSON.stringify(ours)).toBe(JSON.stringify(plain.bodies.flatMap((b) => b.body.records)));
    expect(demo.telemetry.planted.filter((p) => !tenantHosts.has(p.hostName))).toEqual(plain.planted);
    expect(JSON.stringify(endpointTelemetryForTenant(tenant))).toBe(JSON.stringify(demo));
  });

  it('rejects a machine that is not the VM its resource id names, and a theft outside the telemetry’s days', () => {
    const { plan } = demo;
    expect(() => generateEndpointTelemetry({ tenantMachines: { ...plan, control: { ...plan.control, name: 'vm-elsewhere-01' } } })).toThrow(/not the virtual machine/);
    expect(() => generateEndpointTelemetry({ days: 3, tenantMachines: plan })).toThrow(/outside the telemetry's days/);
  });
});

/** The demo's inputs through `tokenwatch replay` in memory: both detectors and the join, as `npm start` runs them. */
async function replayDemo(): Promise<ReplaySummary> {
  const folder = mkdtempSync(path.join(tmpdir(), 'tw-stolen-used-'));
  try {
    const audit = path.join(folder, 'audit');
    const endpoint = path.join(folder, 'endpoint');
    mkdirSync(audit);
    mkdirSync(endpoint);
    for (const body of tenant.bodies) writeFileSync(path.join(audit, body.name), JSON.stringify(body.body));
    for (const body of demo.telemetry.bodies) writeFileSync(path.join(endpoint, body.name), JSON.stringify(body.body));
    const serviceTagsFile = path.join(folder, tenant.serviceTags.fileName);
    writeFileSync(serviceTagsFile, JSON.stringify(tenant.serviceTags.document));
    return await replay({ inputs: [audit, endpoint], store: 'memory', alertsToStdout: false, serviceTagsFile });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe.skipIf(!existsSync(defaultAsnDataFile()))('the stolen-and-used story through both detectors and the join', () => {
  let alerts: AlertRow[];
  beforeAll(async () => {
    alerts = (await replayDemo()).alerts;
  }, 120_000);
  afterAll(() => {
    alerts = [];
  });

  const theftAlertsOf = (act: string | null): AlertRow[] => {
    const records = actRecords(act);
    const times = new Set(records.map((r) => new Date(timeOf(r.time)).toISOString()));
    return alerts.filter((a) => a.Detector === 'TokenTheft' && a.HostName === records[0]!.hostName && times.has(a.EventTime));
  };
  const useAlertOf = (id: string | null): AlertRow => {
    const p = use(id);
    const found = alerts.filter((a) => a.Detector === 'RemoteTokenUse' && Date.parse(a.EventTime) === timeOf(p.time) && a.IPAddress === p.ip);
    expect(found, `${id} alert`).toHaveLength(1);
    return found[0]!;
  };
  const joins = (): AlertRow[] => alerts.filter((a) => a.Detector === 'TheftAndUse');

  it('raises the incident exactly once, naming the planted theft’s and use’s alerts, linked by host name', () => {
    const su1 = incident('SU1');
    const thefts = theftAlertsOf(su1.theftAct);
    expect(thefts.length).toBeGreaterThan(0);
    const firstTheft = [...thefts].sort((a, b) => a.EventTime.localeCompare(b.EventTime) || a.AlertId.localeCompare(b.AlertId))[0]!;
    const useAlert = useAlertOf(su1.useStory);
    expect(useAlert.Severity).toBe('High');

    expect(joins()).toHaveLength(1);
    const join = joins()[0]!;
    expect(join.Severity).toBe('High');
    expect(join.Evidence['theftAlertId']).toBe(firstTheft.AlertId);
    expect(join.Evidence['remoteUseAlertId']).toBe(useAlert.AlertId);
    expect(join.Evidence['machineLink']).toBe('host-name');
    expect(join.AlertName).toBe(`Managed Identity token stolen on ${su1.machineName}.contoso.com and used from AS${useAlert.ASN} ${useAlert.ASOrganization}`);
    expect(join.IdentityResourceId).toBe(su1.machineResourceId);
    expect(join.HostName).toBe(`${su1.machineName}.contoso.com`);
    expect(join.ProcessName.toLowerCase()).toBe('curl.exe');
    expect(join.EventTime).toBe(useAlert.EventTime);
    expect(join.Evidence['minutesFromTheftToUse']).toBe(Math.round((Date.parse(useAlert.EventTime) - Date.parse(firstTheft.EventTime)) / MINUTE_MS));
    // Both halves name the same machine, the theft by host name (Defender's DeviceId is no resource id).
    expect(machineOfAlert(firstTheft)).toEqual({ name: su1.machineName, resourceId: '' });
    expect(machineOfAlert(useAlert)?.name).toBe(su1.machineName);
  });

  it('keeps the theft-like control a theft alert only, and the other VM’s remote use a remote-use alert only', () => {
    const named = new Set(joins().flatMap((j) => [j.Evidence['theftAlertId'], j.Evidence['remoteUseAlertId']]));
    const controlThefts = theftAlertsOf(incident('SU-C1').theftAct);
    expect(controlThefts.length).toBeGreaterThan(0);
    for (const a of controlThefts) expect(named.has(a.AlertId)).toBe(false);
    const otherUse = useAlertOf(incident('SU-C2').useStory);
    expect(named.has(otherUse.AlertId)).toBe(false);
    // Every other remote use of a VM's identity in the telemetry's week stays alone too.
    const weekEnd = tenantStartMs(tenant) + 7 * DAY_MS;
    const vmUses = alerts.filter((a) => a.Detector === 'RemoteTokenUse' && Date.parse(a.EventTime) < weekEnd && machineOfAlert(a) !== undefined);
    expect(vmUses.filter((a) => !named.has(a.AlertId)).length).toBeGreaterThan(1);
  });

  it('checks out in the demo’s own check: one incident, two controls, nothing unexpected', () => {
    const check = checkStolenAndUsed(demo.incidents, demo.telemetry.planted, tenant.planted, alerts);
    expect(check).toMatchObject({ incidents: 1, incidentsMatched: 1, controls: 2, controlsMatched: 2, unexpected: 0 });
    expect(check.lines.every((l) => l.startsWith('  ok  '))).toBe(true);
  });
});
