import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeRecords } from '../../src/app/routeRecords';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { recordKeyText } from '../../src/core/records/auditEvent';
import { parseAuditRecord } from '../../src/core/records/auditRecord';
import type { RemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, ATTACKER_IP6, graphUse, identity, miSignIn, ONPREM_IP, ONPREM_IP_2, TENANT, tokenId, type TestIdentity } from '../support/auditFixtures';
import { logAnalyticsRowOf, WORKSPACE_ID, type RowOptions } from '../support/logAnalyticsRows';
import { EASTUS_IP, keyVaultUse, regionClassifier, storageUse, TEST_SERVICE_TAGS, WESTEUROPE_IP, WESTEUROPE_IP_2, WESTEUROPE_IP_3 } from '../support/regionFixtures';
import { replayRecords } from '../support/remoteUseHarness';

/**
 * Log Analytics rows are a first-class input: a workspace's own rows (AzureActivity,
 * AADManagedIdentitySignInLogs, AADServicePrincipalSignInLogs, MicrosoftGraphActivityLogs,
 * AzureDiagnostics / AZKVAuditLogs, StorageBlobLogs) must give exactly what their Event Hub twins
 * give: the same events field by field, and through the real runner the same alert rows, AlertIds
 * included. The rows are written from the documented column mappings (test/support/logAnalyticsRows.ts),
 * not by the parsers; `TenantId` in them is the workspace, not the Entra tenant.
 */

const vm = identity(41); // a VM in westeurope: Activity, Graph, Key Vault and Storage every day
const app = identity(42, 'uami'); // an App Service app in westeurope, several outbound addresses
const arc = identity(43, 'arc'); // an Arc server on premises (AS64500)
const sp = identity(44); // a service principal (not an MI): counted, never judged

/** The day's token of an identity, issued by its sign-in at 00:00 of the day. */
const tok = (id: TestIdentity, day: number): string => tokenId(id, at(day, 0));
const use = (id: TestIdentity, day: number, minutes: number, ip: string, token = tok(id, day)): Record<string, unknown> => activityUse(id, at(day, minutes), ip, { token, iatMs: at(day, 0) });
const tokenHash = (id: TestIdentity, day: number): string => tok(id, day).padEnd(64, '0').slice(0, 64);

/** 21 days of ordinary traffic on every source, and the records each source counts without judging. */
function history(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let day = 0; day <= 20; day++) {
    for (const id of [vm, app, arc]) records.push(miSignIn(id, at(day, 0)));
    records.push(use(vm, day, 5, WESTEUROPE_IP));
    records.push(use(app, day, 6, WESTEUROPE_IP_2));
    records.push(use(arc, day, 7, ONPREM_IP));
    records.push(graphUse(vm, at(day, 8), WESTEUROPE_IP, { token: tok(vm, day), issuedAtMs: at(day, 0) }));
    records.push(keyVaultUse(vm, at(day, 9), WESTEUROPE_IP, { withMirid: day % 2 === 0 }));
    records.push(storageUse(vm, at(day, 10), `${WESTEUROPE_IP}:5${String(day).padStart(4, '0')}`, tokenHash(vm, day)));
  }
  // Counted, not judged: a service principal's sign-in, a failed MI sign-in, a delegated Graph
  // call, a shared-key Storage read, a Key Vault read by a user, an Activity record with no caller.
  records.push({ ...miSignIn(sp, at(2, 30)), category: 'ServicePrincipalSignInLogs', callerIpAddress: ONPREM_IP, properties: { ...(miSignIn(sp, at(2, 30))['properties'] as object), ipAddress: ONPREM_IP } });
  records.push(miSignIn(vm, at(3, 31), { status: { errorCode: 700016 } }));
  (records[records.length - 1] as Record<string, unknown>)['resultType'] = '700016';
  const delegated = graphUse(vm, at(4, 32), ONPREM_IP);
  Object.assign(delegated['properties'] as object, { servicePrincipalId: null, userId: '9f0c0000-0000-4000-8000-00000000abcd' });
  records.push(delegated);
  const sharedKey = storageUse(vm, at(5, 33), `${ONPREM_IP}:40000`, '');
  sharedKey['identity'] = { type: 'AccountKey', tokenHash: 'key1(0A0E8AADA35419722ED12342443F0DC8FAF3E6F8C8AD805DE6D563E0E5F8A00)' };
  records.push(sharedKey);
  const userRead = keyVaultUse(vm, at(6, 34), ONPREM_IP_2, { withMirid: false });
  const claim = (userRead['identity'] as { claim: Record<string, unknown> }).claim;
  claim['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'] = 'adele.vance@contoso.com';
  records.push(userRead);
  return records;
}

/** Uses that raise every severity and most rules (see tokenRules.test.ts for each alone). */
function probes(): Record<string, unknown>[] {
  return [
    // Low: a learning-period use from an external network with the identity's own token, then the same network after activation.
    use(vm, 3, 30, ATTACKER_IP, 'own-1'),
    use(vm, 20, 40, ATTACKER_IP, 'own-2'),
    // High: replays (Activity and Graph over IPv6, a Storage token hash), and a Key Vault read from a network the VM never used.
    use(app, 16, 30, ATTACKER_IP6),
    graphUse(vm, at(17, 30), ATTACKER_IP6, { token: tok(vm, 17), issuedAtMs: at(17, 0) }),
    storageUse(vm, at(18, 20), `${ATTACKER_IP}:443`, tokenHash(vm, 18)),
    keyVaultUse(vm, at(19, 30), ONPREM_IP),
    // Medium: an own token from an unusual Azure region; the Arc server from a new address of its network.
    use(vm, 18, 30, EASTUS_IP, 'minted-elsewhere'),
    use(arc, 18, 30, ONPREM_IP_2),
    // Nothing: an App Service pool's other addresses.
    use(app, 18, 10, WESTEUROPE_IP_3),
  ];
}

const byTime = (a: Record<string, unknown>, b: Record<string, unknown>): number => String(a['time']).localeCompare(String(b['time']));

function scenario(): Record<string, unknown>[] {
  return [...history(), ...probes()].sort(byTime);
}

const settings: Partial<RemoteUseSettings> = { classifyIp: regionClassifier(), serviceTags: TEST_SERVICE_TAGS };

/** The rows of the scenario, Key Vault alternating between its two tables unless told. */
function rowsOf(records: readonly Record<string, unknown>[], options: RowOptions = {}): Record<string, unknown>[] {
  let keyVault = 0;
  return records.map((record) => {
    const keyVaultTable = options.keyVaultTable ?? (record['category'] === 'AuditEvent' && keyVault++ % 2 === 1 ? 'AZKVAuditLogs' : 'AzureDiagnostics');
    return logAnalyticsRowOf(record, { ...options, keyVaultTable });
  });
}

/**
 * A record's event, every field as parsed, its class included; the record key as its text: the
 * value alert ids are made of. (A resource record's key keeps the resource id as logged and folds
 * its case only when read, see ResourceRecordKeyParts: the Event Hub `resourceId` is upper case,
 * AZKVAuditLogs' and StorageBlobLogs' `_ResourceId` lower case.)
 */
function parsed(record: unknown): unknown {
  const result = parseAuditRecord(record, 'differential');
  if (result === undefined) return 'not routed';
  if (!result.ok) return `reject ${result.reject.reason}`;
  const event = result.value;
  return { class: event.constructor.name, ...event, ...(event.kind === 'other' ? {} : { recordKey: recordKeyText(event.recordKey) }) };
}

describe('Log Analytics rows and their Event Hub twins', () => {
  it('the scenario raises alerts of every severity, replays among them, and rejects nothing', async () => {
    const { alerts, rejects } = await replayRecords(scenario(), { settings });
    expect(new Set(alerts.map((a) => a.Severity))).toEqual(new Set(['Low', 'Medium', 'High']));
    const rules = new Set(alerts.flatMap((a) => a.Evidence['rules'] as string[]));
    for (const rule of ['token-replay', 'learning', 'unusual-region', 'unusual-ip', 'unusual-asn']) expect(rules).toContain(rule);
    expect(new Set(alerts.map((a) => a.SourceCategory))).toEqual(new Set(['Administrative', 'MicrosoftGraphActivityLogs', 'StorageRead', 'AuditEvent']));
    expect(rejects.rejects).toEqual([]);
  });

  it.each<[string, RowOptions]>([
    ['as the query SDK returns them (Date, objects)', { encoding: 'sdk' }],
    ['as the query API JSON carries them (ISO text, JSON text)', { encoding: 'text' }],
    ['Key Vault in AZKVAuditLogs only', { keyVaultTable: 'AZKVAuditLogs' }],
    ['without the Type column (told apart by their columns)', { encoding: 'text', withoutType: true }],
  ])('give the same events field by field, %s', (_name, options) => {
    const records = scenario();
    const rows = rowsOf(records, options);
    const eventHub = records.map(parsed);
    const logAnalytics = rows.map(parsed);
    for (let i = 0; i < records.length; i++) expect(logAnalytics[i], `record ${i}: ${JSON.stringify(records[i]).slice(0, 200)}`).toStrictEqual(eventHub[i]);
    // Every kind is among them: issuance, use and the counted others.
    expect(new Set(eventHub.map((e) => (typeof e === 'object' && e !== null ? (e as { kind: string }).kind : e)))).toEqual(new Set(['issuance', 'use', 'other']));
  });

  it.each<[string, RowOptions, number | undefined]>([
    ['in one batch (SDK values)', { encoding: 'sdk' }, undefined],
    ['in batches of 1 (text values)', { encoding: 'text' }, 1],
    ['in batches of 37, without Type', { encoding: 'text', withoutType: true }, 37],
  ])('raise identical alert rows through the runner, AlertIds included, %s', async (_name, options, batchSize) => {
    const records = scenario();
    const batch = batchSize === undefined ? {} : { batchSize };
    const fromEventHub = await replayRecords(records, { settings, ...batch });
    const fromWorkspace = await replayRecords(rowsOf(records, options), { settings, ...batch });
    expect(fromEventHub.alerts.length).toBeGreaterThanOrEqual(8);
    expect(sorted(fromWorkspace.alerts)).toEqual(sorted(fromEventHub.alerts));
    expect(fromWorkspace.rejects.rejects).toEqual([]);
    // The state each leaves is the same too: the next batch judges alike.
    expect([...fromWorkspace.backend.partitions.keys()].sort()).toEqual([...fromEventHub.backend.partitions.keys()].sort());
  });

  it('a mixed replay routes every row to the remote-use side, with or without Type, and endpoint rows to the theft side', () => {
    const rows = [...rowsOf(scenario()), ...rowsOf(scenario(), { withoutType: true })].map((record, i) => ({ record, origin: `row ${i}` }));
    const securityEvent = { record: { Type: 'SecurityEvent', TimeGenerated: '2026-03-01T10:00:00Z', EventID: 5156, Channel: 'Security', Computer: 'vm-contoso-web01' }, origin: 'endpoint row' };
    const { audit, endpoint } = routeRecords([...rows, securityEvent]);
    expect(audit).toEqual(rows);
    expect(endpoint).toEqual([securityEvent]);
  });

  it('never takes the workspace id (TenantId) for the Entra tenant', async () => {
    const { alerts } = await replayRecords(rowsOf(scenario()), { settings });
    expect(new Set(alerts.map((a) => a.AADTenantId))).toEqual(new Set([TENANT]));
    expect(alerts.some((a) => JSON.stringify(a).includes(WORKSPACE_ID))).toBe(false);
  });

  it('the Event Hub fixtures of test/fixtures/audit give the same events as their rows, in both Key Vault tables', () => {
    const root = path.join(__dirname, '../fixtures/audit');
    const records = readdirSync(root).flatMap((dir) =>
      readdirSync(path.join(root, dir)).flatMap((file) => (JSON.parse(readFileSync(path.join(root, dir, file), 'utf8')) as { records: Record<string, unknown>[] }).records),
    );
    expect(records.length).toBeGreaterThanOrEqual(10);
    for (const options of [{ keyVaultTable: 'AzureDiagnostics' }, { keyVaultTable: 'AZKVAuditLogs', encoding: 'text' }] satisfies RowOptions[]) {
      for (const record of records) expect(parsed(logAnalyticsRowOf(record, options)), JSON.stringify(record).slice(0, 160)).toStrictEqual(parsed(record));
    }
  });
});

/** Alert rows in a stable order (by id), whole: every column and the evidence. */
function sorted(alerts: readonly AlertRow[]): AlertRow[] {
  return [...alerts].sort((a, b) => a.AlertId.localeCompare(b.AlertId));
}
