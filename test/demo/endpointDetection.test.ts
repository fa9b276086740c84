import { describe, expect, it } from 'vitest';
import { parseEndpointRecord } from '../../src/core/records/endpoint/parseEndpointRecord';
import { DEFAULT_TRUSTED_PROCESSES } from '../../src/core/theft/defaultTrustedProcesses';
import { detectTheft } from '../../src/core/theft/detectTheft';
import { generateEndpointTelemetry, type EndpointTelemetry } from '../../src/demo/endpointTelemetry';
import { endpointTelemetryForTenant } from '../../src/demo/stolenAndUsed';
import { generateDemoTenant } from '../../src/demo/tenant';

/**
 * The demo endpoint telemetry through the project's own theft detector with the default allowlist:
 * every planted theft raises an alert for its host and process, and nothing else does.
 */
describe('demo endpoint telemetry against the theft detector', () => {
  it.each<[string, () => EndpointTelemetry]>([
    ['the generated estate', () => generateEndpointTelemetry()],
    ['the estate with the demo tenant’s VMs of the stolen-and-used story', () => endpointTelemetryForTenant(generateDemoTenant()).telemetry],
  ])('alerts on every planted theft and on nothing the cloud agents do: %s', (_name, generate) => {
    const telemetry = generate();
    const events = telemetry.bodies
      .flatMap((b) => b.body.records)
      .map((r, i) => parseEndpointRecord(r, `record ${i}`))
      .flatMap((o) => (o.ok === true ? [o.value] : []));
    const { alerts } = detectTheft(events, new Map(), { allowlist: { processes: DEFAULT_TRUSTED_PROCESSES, applications: [] } });

    const who = (host: string, path: string) => `${host} ${path.toLowerCase()}`;
    const thefts = telemetry.planted.filter((p) => p.kind === 'theft');
    const alerted = new Set(alerts.map((a) => who(a.HostName, a.ProcessPath)));
    for (const act of new Set(thefts.map((t) => t.act))) {
      const records = thefts.filter((t) => t.act === act);
      expect(records.some((t) => alerted.has(who(t.hostName, t.processPath))), act).toBe(true);
      expect(alerts.some((a) => records.some((t) => t.vector === a.Vector && who(t.hostName, t.processPath) === who(a.HostName, a.ProcessPath))), `${act} vector`).toBe(true);
    }
    const plantedProcesses = new Set(thefts.map((t) => who(t.hostName, t.processPath)));
    for (const alert of alerts) expect(plantedProcesses.has(who(alert.HostName, alert.ProcessPath)), `${alert.HostName} ${alert.ProcessPath}`).toBe(true);
    expect(alerts.length).toBeLessThanOrEqual(thefts.length);
  });
});
