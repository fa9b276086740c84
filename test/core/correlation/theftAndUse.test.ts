import { describe, expect, it } from 'vitest';
import { EMPTY_ALERT_FIELDS, type AlertRow } from '../../../src/core/alerts/alertRow';
import { machineOfHost, machineOfIdentity, sameMachine } from '../../../src/core/correlation/machineLink';
import { correlationPartitionKey, joinTheftAndUse, THEFT_AND_USE_WINDOW_MS } from '../../../src/core/correlation/theftAndUse';
import { MemoryStateBackend, MemoryStateStore } from '../../../src/adapters/memoryStateStore';
import { correlateAlerts } from '../../../src/app/correlateAlerts';

const TENANT = '72f988bf-0000-4000-8000-00000000c0de';
const VM = '/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourceGroups/rg-contoso/providers/Microsoft.Compute/virtualMachines/VM-WEB01';
const ARC = '/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-files01';
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 10, 8);
const iso = (ms: number): string => new Date(ms).toISOString();
const DEDUP = 5 * 24 * HOUR;

function theft(id: string, atMs: number, host = 'vm-web01.contoso.com', hostId = ''): AlertRow {
  return {
    ...EMPTY_ALERT_FIELDS, AlertId: id, TimeGenerated: iso(atMs), EventTime: iso(atMs), Detector: 'TokenTheft', AlertName: 'Token requested from the instance metadata service by a suspicious process',
    Severity: 'High', AADTenantId: '', HostName: host, HostId: hostId, ProcessName: 'powershell.exe', ProcessPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    ProcessCommandLine: 'powershell iwr http://169.254.169.254/metadata/identity/oauth2/token', AccountName: 'NT AUTHORITY\\SYSTEM', Vector: 'TokenEndpoint',
    Target: 'http://169.254.169.254/metadata/identity/oauth2/token', Reason: 'r', Evidence: {}, Tactic: 'CredentialAccess', Technique: 'T1528',
  };
}

function use(id: string, atMs: number, resourceId = VM, tenant = TENANT): AlertRow {
  return {
    ...EMPTY_ALERT_FIELDS, AlertId: id, TimeGenerated: iso(atMs), EventTime: iso(atMs), Detector: 'RemoteTokenUse', AlertName: 'Managed Identity token replayed from a second network',
    Severity: 'High', AADTenantId: tenant, IdentityObjectId: '0b1ec7e5-0000-4000-8000-000000000001', IdentityAppId: 'a99c1de5-0000-4000-8000-000000000002', IdentityName: 'vm-web01',
    IdentityResourceId: resourceId, IPAddress: '203.0.113.66', IPScope: 'external', ASN: 64501, ASOrganization: 'Fabrikam Hosting', TokenId: 'tok-1',
    Reason: 'r', Evidence: { network: '64501', rule: 'token-replay' }, Tactic: 'CredentialAccess', Technique: 'T1528',
  };
}

/** Runs alert batches in order through the join with one in-memory store, as the runners do. */
async function join(batches: AlertRow[][]): Promise<AlertRow[]> {
  const store = new MemoryStateStore();
  const out: AlertRow[] = [];
  for (const alerts of batches) out.push(...(await correlateAlerts(alerts, { store, dedupWindowMs: DEDUP }, undefined)).joins);
  return out;
}

describe('the machine of an alert', () => {
  it.each([
    [VM, { name: 'vm-web01', resourceId: VM.toLowerCase() }],
    [ARC, { name: 'srv-files01', resourceId: ARC.toLowerCase() }],
    [`${VM}/`, { name: 'vm-web01', resourceId: VM.toLowerCase() }],
    ['/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shared', undefined],
    ['/subscriptions/s/resourcegroups/rg/providers/Microsoft.Web/sites/func-contoso', undefined],
    ['', undefined],
  ])('identity %s', (resourceId, machine) => {
    expect(machineOfIdentity(resourceId)).toEqual(machine);
  });

  it.each([
    ['VM-WEB01.contoso.com', '', { name: 'vm-web01', resourceId: '' }],
    ['vm-web01', VM, { name: 'vm-web01', resourceId: VM.toLowerCase() }],
    ['', VM, { name: 'vm-web01', resourceId: VM.toLowerCase() }],
    ['WORKSTATION5', '3f1c0d8e9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d', { name: 'workstation5', resourceId: '' }],
    ['', '', undefined],
  ])('host %s / %s', (host, hostId, machine) => {
    expect(machineOfHost(host, hostId)).toEqual(machine);
  });

  it('links by resource id when both sides have one, else by name; different ids are different machines', () => {
    const byId = machineOfIdentity(VM)!;
    expect(sameMachine(machineOfHost('anything', VM)!, byId)).toBe('azure-resource-id');
    expect(sameMachine(machineOfHost('vm-web01.contoso.com', '')!, byId)).toBe('host-name');
    expect(sameMachine(machineOfHost('vm-web01', VM.replace('rg-contoso', 'rg-other'))!, byId)).toBeUndefined();
    expect(sameMachine(machineOfHost('vm-web02', '')!, byId)).toBeUndefined();
  });
});

describe('stolen and used: the theft-and-use join', () => {
  it('a theft then a use of the machine’s identity within 24 h raise one High naming both halves', async () => {
    const [alert, ...rest] = await join([[theft('t1', T0)], [use('u1', T0 + 2 * HOUR)]]);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      Detector: 'TheftAndUse', Severity: 'High', AlertName: 'Managed Identity token stolen on vm-web01.contoso.com and used from AS64501 Fabrikam Hosting',
      HostName: 'vm-web01.contoso.com', ProcessName: 'powershell.exe', IdentityObjectId: '0b1ec7e5-0000-4000-8000-000000000001', IdentityResourceId: VM,
      IPAddress: '203.0.113.66', EventTime: iso(T0 + 2 * HOUR), AADTenantId: TENANT, Vector: 'TokenEndpoint',
    });
    expect(alert!.Evidence).toMatchObject({ theftAlertId: 't1', remoteUseAlertId: 'u1', machineLink: 'host-name', minutesFromTheftToUse: 120, theftAt: iso(T0), useAt: iso(T0 + 2 * HOUR) });
    expect(alert!.Reason).toContain('powershell.exe on vm-web01.contoso.com reached for a token');
  });

  it.each([
    { name: 'use first, theft later (either order)', batches: [[use('u1', T0)], [theft('t1', T0 + 3 * HOUR)]], joins: 1 },
    { name: 'both halves in one batch', batches: [[theft('t1', T0), use('u1', T0 + HOUR)]], joins: 1 },
    { name: 'exactly 24 h apart', batches: [[theft('t1', T0)], [use('u1', T0 + THEFT_AND_USE_WINDOW_MS)]], joins: 1 },
    { name: 'more than 24 h apart', batches: [[theft('t1', T0)], [use('u1', T0 + THEFT_AND_USE_WINDOW_MS + 1)]], joins: 0 },
    { name: 'another machine', batches: [[theft('t1', T0, 'vm-web02')], [use('u1', T0 + HOUR)]], joins: 0 },
    { name: 'a user-assigned identity names no machine', batches: [[theft('t1', T0)], [use('u1', T0 + HOUR, '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/vm-web01')]], joins: 0 },
    { name: 'same name, another subscription’s VM (resource ids differ)', batches: [[theft('t1', T0, 'vm-web01', VM.replace('c0ffee00', 'deadbeef'))], [use('u1', T0 + HOUR)]], joins: 0 },
    { name: 'a stolen token never used stays a theft alert', batches: [[theft('t1', T0)], [theft('t2', T0 + HOUR)]], joins: 0 },
    { name: 'a use without theft telemetry stays a remote-use alert', batches: [[use('u1', T0)], [use('u2', T0 + HOUR)]], joins: 0 },
    { name: 'a theft whose export names the workspace as its tenant still joins (tenants are not compared)', batches: [[{ ...theft('t1', T0), AADTenantId: '11111111-0000-4000-8000-0000000000aa' }], [use('u1', T0 + HOUR)]], joins: 1 },
    {
      name: 'a theft arriving late (the endpoint stream two days behind) still finds the use a later batch kept',
      batches: [[use('u1', T0)], [use('u9', T0 + 40 * HOUR, VM.replace('VM-WEB01', 'vm-web01'))], [theft('t1', T0 + 3 * HOUR)]],
      joins: 1,
    },
    { name: 'an Arc machine', batches: [[theft('t1', T0, 'SRV-FILES01.corp.contoso.com')], [use('u1', T0 + HOUR, ARC)]], joins: 1 },
  ])('$name', async ({ batches, joins }) => {
    expect((await join(batches)).length).toBe(joins);
  });

  it('links by the host’s Azure resource id when the telemetry names it, and says so', async () => {
    const [alert] = await join([[theft('t1', T0, 'WORKSTATION5', VM)], [use('u1', T0 + HOUR)]]);
    expect(alert!.Evidence['machineLink']).toBe('azure-resource-id');
  });

  it('one join per machine and identity per 5 days; a redelivered half raises the same AlertId again', async () => {
    const store = new MemoryStateStore();
    const run = async (alerts: AlertRow[]) => (await correlateAlerts(alerts, { store, dedupWindowMs: DEDUP }, undefined)).joins.map((a) => a.AlertId);
    expect(await run([theft('t1', T0)])).toEqual([]);
    const first = await run([use('u1', T0 + HOUR)]);
    expect(first).toHaveLength(1);
    expect(await run([use('u1', T0 + HOUR)])).toEqual(first);
    expect(await run([use('u2', T0 + 2 * HOUR)])).toEqual([]);
  });

  it('a batch spanning days, delivered again after its commit, raises its join again: its commit kept the half the join paired with', async () => {
    const backend = new MemoryStateBackend();
    const store = new MemoryStateStore(backend);
    const run = async (alerts: AlertRow[]) => (await correlateAlerts(alerts, { store, dedupWindowMs: DEDUP }, undefined)).joins.map((a) => a.AlertId);
    expect(await run([use('u1', T0)])).toEqual([]);
    // A theft an hour after the use, and another host's theft 5 days later, in one batch (a replay of
    // the endpoint logs). Measured from that batch's newest alert, the use's half is past its time.
    const batch = [theft('t1', T0 + HOUR), theft('t9', T0 + 5 * 24 * HOUR, 'vm-other01')];
    const first = await run(batch);
    expect(first).toHaveLength(1);
    // The alert sink failed: the batch comes again and must raise the same join for the sink.
    expect(await run(batch)).toEqual(first);
    // The next batch to write the machine's partition, measured from the later watermark, drops the half.
    const halves = () => [...backend.partitions.get(correlationPartitionKey('vm-web01'))!.rows.keys()].filter((k) => !k.startsWith('meta') && !k.startsWith('dd|'));
    expect(halves()).toEqual(['u|u1', 't|t1']);
    await run([theft('t3', T0 + 5 * 24 * HOUR + HOUR)]);
    expect(halves()).toEqual(['t|t3']);
  });

  it('the same joins and AlertIds whatever the batching', async () => {
    const alerts = [theft('t1', T0), use('u1', T0 + HOUR), theft('t2', T0 + 6 * 24 * HOUR, 'srv-files01'), use('u2', T0 + 6 * 24 * HOUR + HOUR, ARC)];
    const whole = (await join([alerts])).map((a) => a.AlertId);
    expect(whole).toHaveLength(2);
    expect((await join(alerts.map((a) => [a]))).map((a) => a.AlertId)).toEqual(whole);
  });

  it('is pure: the same alerts and snapshots give the same joins and changes', () => {
    const alerts = [theft('t1', T0), use('u1', T0 + HOUR)];
    expect(joinTheftAndUse(alerts, new Map(), { dedupWindowMs: DEDUP })).toEqual(joinTheftAndUse(alerts, new Map(), { dedupWindowMs: DEDUP }));
  });
});
