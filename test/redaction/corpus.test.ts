import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryAlertSink, type AlertSink, type AlertSinkResult } from '../../src/adapters/alertSink';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { NdjsonAlertSink } from '../../src/adapters/ndjsonAlertSink';
import { MemoryRejectSink, type RejectSink } from '../../src/adapters/rejectSink';
import { StateStoreError } from '../../src/adapters/stateStore';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { TableRejectSink } from '../../src/adapters/tableRejectSink';
import { handleRemoteTokenUse } from '../../src/app/remoteUseHandler';
import { handleTokenTheft } from '../../src/app/theftHandler';
import { loadTheftSettings } from '../../src/app/theftSettings';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { toStreamRow } from '../../src/core/alerts/sentinelSchema';
import type { Reject } from '../../src/core/records/reject';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, graphUse, identity, miSignIn, testClassifier } from '../support/auditFixtures';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';
import { CREDENTIAL_FORMS, type CredentialForm } from './credentialForms';

/**
 * The whole app against records that carry credentials: every credential form, embedded in theft
 * records in the endpoint shapes the parsers read (MDE, Sysmon, ECS), in remote-use records in the
 * Event Hub shapes (Activity log, sign-in, Graph activity), and in junk that is rejected, runs
 * through the real Event Hub handlers. Every sink's output is kept: the alert rows (memory, the
 * NDJSON file sink, the Logs Ingestion stream rows), the dead letters (memory and the Table sink on
 * Azurite, alert rows a sink refused among them), the handlers' log lines and the detector state.
 * Not one secret may appear in any of them.
 */

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(__dirname, '../fixtures/endpoint', name), 'utf8')) as Record<string, unknown>;

const IMDS_REQUEST = 'curl -s -H Metadata:true "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"';
const host = (i: number): string => `vm-contoso-${300 + i}.contoso.com`;
const theftTime = (i: number): string => new Date(at(0, 60) + i * 1_000).toISOString();

/** A theft record in one of three endpoint shapes, its command line asking IMDS for a token and carrying the form's secret. */
function theftRecord(form: CredentialForm, i: number): Record<string, unknown> {
  const commandLine = `${IMDS_REQUEST} ; ${form.text}`;
  switch (i % 3) {
    case 0: {
      const mde = fixture('mde/network-curl-imds-token.json');
      const properties = mde['properties'] as Record<string, unknown>;
      const time = theftTime(i);
      return {
        ...mde,
        time,
        properties: { ...properties, DeviceName: host(i), DeviceId: `5f0c3b1e9d2a4c6b8e7f1a2b3c4d5e6f7a8b${String(i).padStart(4, '0')}`, ReportId: 5000 + i, Timestamp: time, InitiatingProcessCommandLine: commandLine, AdditionalFields: { note: form.text } },
      };
    }
    case 1: {
      const sysmon = fixture('sysmon-flat/event1-powershell-mapped-ipv6-token.json');
      return {
        ...sysmon,
        Hostname: host(i),
        RecordNumber: 600_000 + i,
        UtcTime: theftTime(i).replace('T', ' ').replace('Z', ''),
        CommandLine: `powershell.exe -NoP -c "Invoke-RestMethod -Headers @{Metadata='true'} -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net'" ; ${form.text}`,
        ParentCommandLine: form.text,
      };
    }
    default: {
      const ecs = fixture('ecs/process-curl-gcp-token.json');
      const event = ecs['event'] as Record<string, unknown>;
      const hostField = ecs['host'] as Record<string, unknown>;
      const process = ecs['process'] as Record<string, unknown>;
      return {
        ...ecs,
        '@timestamp': theftTime(i),
        event: { ...event, id: `corpus-${i}` },
        host: { ...hostField, name: host(i), hostname: host(i), id: `6c1f5d0a-0000-4000-8000-${String(i).padStart(12, '0')}` },
        process: { ...process, command_line: `${IMDS_REQUEST} ; ${form.text}`, args: ['curl', ...form.text.split(' ')] },
      };
    }
  }
}

/** Remote-use records of one identity per form: a sign-in, then a use from outside Azure whose operation quotes the secret. */
function remoteUseRecords(form: CredentialForm, i: number): Record<string, unknown>[] {
  const id = identity(300 + i);
  const graph = graphUse(id, at(0, 6), ATTACKER_IP);
  const graphProperties = graph['properties'] as Record<string, unknown>;
  return [
    miSignIn(id, at(0), { userAgent: form.text }),
    activityUse(id, at(0, 5), ATTACKER_IP, { operation: `MICROSOFT.WEB/SITES/CONFIG/LIST/ACTION ${form.text}` }),
    { ...graph, properties: { ...graphProperties, userAgent: form.text, requestUri: `https://graph.microsoft.com/v1.0/users?$filter=${encodeURIComponent(form.text)}` } },
  ];
}

/** Records each detector rejects, quoting the secret: bodies that are not JSON, unknown shapes, a bad time. */
function junkMessages(form: CredentialForm, i: number, detector: 'theft' | 'use'): unknown[] {
  const bad = detector === 'use' ? { ...activityUse(identity(300 + i), at(0, 7), ATTACKER_IP, { operation: form.text }), time: 'yesterday' } : { EventID: 3, Provider: 'Unknown', Message: form.text };
  return [`not json: ${form.text}`, Buffer.from(JSON.stringify({ records: [{ hello: form.text }, bad] })), JSON.stringify({ records: form.text })];
}

/** Every alert sink at once, refusing every fifth row so refused rows are dead-lettered too. */
class CapturingAlertSink implements AlertSink {
  readonly memory = new MemoryAlertSink();
  ndjson = '';
  readonly streamRows: unknown[] = [];
  private readonly file = new NdjsonAlertSink(
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.ndjson += chunk.toString('utf8');
        done();
      },
    }),
  );

  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    await this.memory.send(rows);
    await this.file.send(rows);
    for (const row of rows) this.streamRows.push(toStreamRow(row));
    const refused = rows.filter((_, i) => i % 5 === 4);
    return { sent: rows.length - refused.length, failed: refused.map((row) => ({ alertId: row.AlertId, reason: `400 Bad Request: the row ${JSON.stringify(row).slice(0, 200)} was refused` })) };
  }
}

class FanOutRejectSink implements RejectSink {
  constructor(readonly sinks: readonly RejectSink[]) {}
  async send(rejects: readonly Reject[], context: { readonly detector: string; readonly batchId: string }): Promise<void> {
    for (const sink of this.sinks) await sink.send(rejects, context);
  }
}

function context(name: string, sequence: number[], logs: string[]): InvocationContext {
  return new InvocationContext({
    invocationId: `inv-${name}`,
    functionName: name,
    triggerMetadata: { partitionContext: { partitionId: '0' }, sequenceNumberArray: sequence },
    logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`),
  });
}

describe('no secret at rest: the credential corpus through every sink', () => {
  const alerts = new CapturingAlertSink();
  const memoryRejects = new MemoryRejectSink();
  const logs: string[] = [];
  const backend = new MemoryStateBackend();
  let rejectsTable: TableClient;
  let tableRows: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const conn = azuriteConnectionString();
    const table = uniqueTableName('corpusrejects');
    await ensureTable(conn, table);
    rejectsTable = createTableClient({ connectionString: conn }, table);
    const deadLetter = new FanOutRejectSink([memoryRejects, new TableRejectSink(rejectsTable, () => new Date('2026-03-01T12:00:00Z'))]);
    const store = new MemoryStateStore(backend);
    const correlation = { store, dedupWindowMs: 5 * 86_400_000 };
    const now = () => Date.UTC(2026, 2, 1, 12);

    const theftMessages = [{ records: CREDENTIAL_FORMS.map(theftRecord) }, ...CREDENTIAL_FORMS.flatMap((form, i) => junkMessages(form, i, 'theft'))];
    await handleTokenTheft(theftMessages, context('tokenTheft', theftMessages.map((_, i) => i), logs), { store, sink: alerts, deadLetter, settings: loadTheftSettings(undefined), now, correlation });

    const useMessages = [{ records: CREDENTIAL_FORMS.flatMap(remoteUseRecords) }, ...CREDENTIAL_FORMS.flatMap((form, i) => junkMessages(form, i, 'use'))];
    await handleRemoteTokenUse(useMessages, context('remoteTokenUse', useMessages.map((_, i) => 1000 + i), logs), { store, sink: alerts, deadLetter, settings: defaultRemoteUseSettings(testClassifier), now, correlation });

    // A failing invocation: its error line quotes what the store said, secrets included.
    backend.failNext = new StateStoreError(`table state: partition rejected the value ${CREDENTIAL_FORMS.map((f) => f.text).join(' | ')}`);
    await expect(handleTokenTheft([{ records: [theftRecord(CREDENTIAL_FORMS[0]!, 0)] }], context('tokenTheft', [9_000], logs), { store, sink: alerts, deadLetter, settings: loadTheftSettings(undefined), now })).rejects.toBeInstanceOf(StateStoreError);

    for await (const entity of rejectsTable.listEntities()) tableRows.push(entity);
  }, 120_000);

  it('judged the corpus: an alert per theft record and per identity, joins, rejects in memory and on Azurite', () => {
    const rows = alerts.memory.rows;
    const byDetector = (detector: string) => rows.filter((row) => row.Detector === detector);
    expect(CREDENTIAL_FORMS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(byDetector('TokenTheft').map((row) => row.HostName)).size).toBe(CREDENTIAL_FORMS.length);
    expect(new Set(byDetector('RemoteTokenUse').map((row) => row.IdentityObjectId)).size).toBe(CREDENTIAL_FORMS.length);
    expect(byDetector('TheftAndUse').length).toBeGreaterThan(0);
    // The secrets were there to be removed: every theft command line and every use's operation lost one.
    expect(byDetector('TokenTheft').every((row) => row.ProcessCommandLine.includes('[REDACTED]'))).toBe(true);
    expect(byDetector('RemoteTokenUse').filter((row) => row.Operation.startsWith('MICROSOFT.WEB')).every((row) => row.Operation.includes('[REDACTED]'))).toBe(true);
    const reasons = new Set(memoryRejects.rejects.map((r) => r.reason));
    for (const reason of ['body.invalid-json', 'endpoint.unknown-shape', 'record.not-azure-log', 'activity.bad-time', 'alert.sink-refused']) expect([...reasons]).toContain(reason);
    expect(tableRows).toHaveLength(memoryRejects.rejects.length);
    expect(logs.some((line) => line.startsWith('error') && line.includes('tokenTheft.failed'))).toBe(true);
  });

  it('leaves no secret of any form in any sink', () => {
    const outputs: Record<string, string> = {
      'alert rows (memory sink)': JSON.stringify(alerts.memory.rows),
      'alert rows (NDJSON file sink)': alerts.ndjson,
      'alert rows (Logs Ingestion stream rows)': JSON.stringify(alerts.streamRows),
      'dead letters (memory sink)': JSON.stringify(memoryRejects.rejects),
      'dead letters (Table sink on Azurite)': JSON.stringify(tableRows),
      'log lines': logs.join('\n'),
      'detector state': JSON.stringify([...backend.partitions.values()].map((p) => [p.partitionKey, [...p.rows]])),
    };
    const offenders: string[] = [];
    for (const form of CREDENTIAL_FORMS) {
      for (const secret of form.secrets) {
        // JSON output escapes quotes and backslashes: look for the secret as JSON would write it too.
        const spellings = [secret, JSON.stringify(secret).slice(1, -1), JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1)];
        for (const [sink, text] of Object.entries(outputs)) if (spellings.some((s) => text.includes(s))) offenders.push(`${form.id} in ${sink}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
