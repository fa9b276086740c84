import type { BenchStream } from '../../src/bench/benchStreamInput';
import type { BenchBody } from '../../src/bench/invocations';
import type { StreamBody } from '../../src/bench/tablePhases';
import { generateDemoTenant } from '../../src/demo/tenant';
import { generateEndpointTelemetry } from '../../src/demo/endpointTelemetry';

/**
 * A stream small enough for unit tests (a few thousand records), from the demo generators: the
 * benchmark's own generator starts at 200,000 records. The first 30 days of the demo tenant are
 * the warm-up (past its 14-day learning period), the rest is the steady state; the first two
 * endpoint bodies warm up the theft detector.
 */
export function tinyStream(): { stream: BenchStream; lazy: StreamBody[] } {
  const tenant = generateDemoTenant({ identities: 12, days: 40, recordsPerBody: 20 });
  const endpoint = generateEndpointTelemetry({ days: 1, hosts: 4, recordsPerBody: 20 });
  const plain = (body: { body: { records: unknown[] } }): BenchBody => ({ text: JSON.stringify(body.body), records: body.body.records.length });
  const warmUpCut = tenant.bodies.findIndex((b) => b.name >= 'day-030');
  const audit = { warmUp: tenant.bodies.slice(0, warmUpCut).map(plain), steady: tenant.bodies.slice(warmUpCut).map(plain) };
  const endpointBodies = endpoint.bodies.map(plain);
  const stream: BenchStream = { identities: 12, audit, endpoint: { warmUp: endpointBodies.slice(0, 2), steady: endpointBodies.slice(2) } };
  const lazy: StreamBody[] = [
    ...audit.warmUp.map((b) => ({ ...b, kind: 'remote-use' as const, phase: 'warmup' as const })),
    ...audit.steady.map((b) => ({ ...b, kind: 'remote-use' as const, phase: 'measure' as const })),
    ...endpointBodies.map((b) => ({ ...b, kind: 'endpoint' as const, phase: 'measure' as const })),
  ];
  return { stream, lazy };
}
