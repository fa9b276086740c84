import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TheftVector } from '../../../src/core/alerts/alertRow';
import type { EndpointEvent } from '../../../src/core/records/endpoint/endpointEvent';
import { parseEndpointRecord } from '../../../src/core/records/endpoint/parseEndpointRecord';
import { profileCaller } from '../../../src/core/theft/callerProfile';
import { DEFAULT_TRUSTED_PROCESSES } from '../../../src/core/theft/defaultTrustedProcesses';
import { decideTrust, trustedByExecutablePath, type TheftAllowlist } from '../../../src/core/theft/theftAllowlist';

const FIXTURES = path.join(__dirname, '../../fixtures/endpoint');
const VECTORS: readonly TheftVector[] = ['TokenEndpoint', 'ServiceAccountToken', 'TokenCache'];

function fixtureEvents(): EndpointEvent[] {
  const events: EndpointEvent[] = [];
  for (const format of readdirSync(FIXTURES).sort()) {
    for (const file of readdirSync(path.join(FIXTURES, format)).sort()) {
      const parsed = parseEndpointRecord(JSON.parse(readFileSync(path.join(FIXTURES, format, file), 'utf8')), file);
      if (parsed.ok === true) events.push(parsed.value);
    }
  }
  return events;
}

const withPath = (event: EndpointEvent, executable: string, hostName = event.hostName): EndpointEvent => ({
  ...event,
  hostName,
  process: { ...event.process, path: executable, pathKey: executable, name: path.posix.basename(executable) },
});

describe('trusted by the executable path alone', () => {
  const defaults: TheftAllowlist = { processes: DEFAULT_TRUSTED_PROCESSES, applications: [] };
  const withApplication: TheftAllowlist = {
    processes: DEFAULT_TRUSTED_PROCESSES,
    applications: [{ id: 'contoso-billing', description: 'billing', pathPatterns: ['/opt/contoso/billing/bin/*'], hostPatterns: ['app-*'], vectors: ['TokenEndpoint'] }],
  };
  const events = fixtureEvents();

  it('answers yes only where decideTrust trusts the caller, whatever script it runs', () => {
    let yes = 0;
    let no = 0;
    for (const allowlist of [defaults, withApplication]) {
      for (const event of events) {
        for (const vector of VECTORS) {
          if (trustedByExecutablePath(event, vector, allowlist)) {
            yes++;
            expect(decideTrust(event, profileCaller(event.process), vector, allowlist).verdict, `${event.source.origin} ${vector}`).toBe('trusted');
          } else no++;
        }
      }
    }
    expect(yes).toBeGreaterThan(0);
    expect(no).toBeGreaterThan(0);
  });

  it('says no for a program outside every install location, for an empty path, and for an operator application on another host or vector', () => {
    const event = events[0]!;
    expect(trustedByExecutablePath(withPath(event, '/tmp/waagent'), 'TokenEndpoint', defaults)).toBe(false);
    expect(trustedByExecutablePath({ ...event, process: { ...event.process, path: '', pathKey: '' } }, 'TokenEndpoint', defaults)).toBe(false);
    const billing = withPath(event, '/opt/contoso/billing/bin/worker', 'app-01.contoso.com');
    expect(trustedByExecutablePath(billing, 'TokenEndpoint', withApplication)).toBe(true);
    expect(trustedByExecutablePath({ ...billing, hostName: 'db-01.contoso.com' }, 'TokenEndpoint', withApplication)).toBe(false);
    expect(trustedByExecutablePath(billing, 'TokenCache', withApplication)).toBe(false);
    // The same answers a second time, when they come from the memo.
    expect(trustedByExecutablePath(withPath(event, '/tmp/waagent'), 'TokenEndpoint', defaults)).toBe(false);
    expect(trustedByExecutablePath(billing, 'TokenEndpoint', withApplication)).toBe(true);
  });
});
