import type { TheftVector } from '../alerts/alertRow';
import type { EndpointEvent } from '../records/endpoint/endpointEvent';
import { baseName } from '../records/endpoint/normalisePath';
import type { CallerProfile } from './callerProfile';
import { NEVER_TRUSTED_BY_NAME_ALONE } from './defaultTrustedProcesses';
import { hostMatches, pathMatches } from './pathPattern';
import type { TrustedProcess } from './trustedProcess';

/** An operator's own application, trusted only on the hosts named (config `applications`). */
export interface HostScopedApplication {
  readonly id: string;
  readonly description: string;
  /** Path patterns, same syntax as TrustedProcess.pathPatterns. */
  readonly pathPatterns: readonly string[];
  /** Host name patterns (`*` wildcard), matched against the full host name and its first label. */
  readonly hostPatterns: readonly string[];
  readonly vectors: readonly TheftVector[];
}

export interface TheftAllowlist {
  readonly processes: readonly TrustedProcess[];
  readonly applications: readonly HostScopedApplication[];
}

/**
 * - `trusted`: the executable path (or, for an interpreter, the script it runs) is inside an
 *   entry's install locations, or an operator application's on this host;
 * - `name-only`: the telemetry has no path and the image name is an entry's name. Weaker: anyone can
 *   name a binary `waagent`. The detector still raises the first such request per host, at Low, and
 *   says so in Evidence;
 * - `untrusted`: no entry matches. `nameMatchedEntry` names an entry whose program name matched at
 *   a path outside its install locations (`/tmp/waagent`), for Evidence.
 */
export type TrustDecision =
  | { readonly verdict: 'trusted'; readonly by: 'executable-path' | 'script-path' | 'host-application'; readonly entryId: string; readonly pattern: string }
  | { readonly verdict: 'name-only'; readonly entryId: string }
  | { readonly verdict: 'untrusted'; readonly nameMatchedEntry: string };

/**
 * `tokenFile`: the token file pattern id of a file-vector match (`azure-arc-token-key`); an entry
 * with `tokenFiles` is trusted for the file vectors only on those patterns. '' for TokenEndpoint.
 */
export function decideTrust(event: EndpointEvent, caller: CallerProfile, vector: TheftVector, allowlist: TheftAllowlist, tokenFile = ''): TrustDecision {
  const { process, platform } = event;
  const candidates: { key: string; by: 'executable-path' | 'script-path' }[] = [];
  if (process.pathKey !== '') candidates.push({ key: process.pathKey, by: 'executable-path' });
  if (caller.scriptKey !== '') candidates.push({ key: caller.scriptKey, by: 'script-path' });

  for (const app of allowlist.applications) {
    if (!app.vectors.includes(vector) || event.hostName === '') continue;
    if (!app.hostPatterns.some((h) => hostMatches(h, event.hostName))) continue;
    for (const candidate of candidates) {
      const pattern = app.pathPatterns.find((p) => pathMatches(p, candidate.key));
      if (pattern !== undefined) return { verdict: 'trusted', by: 'host-application', entryId: app.id, pattern };
    }
  }

  const entries = allowlist.processes.filter(
    (e) =>
      e.vectors.includes(vector) &&
      (e.platform === 'any' || platform === 'unknown' || e.platform === platform) &&
      (vector === 'TokenEndpoint' || e.tokenFiles === undefined || e.tokenFiles.includes(tokenFile)),
  );
  for (const entry of entries) {
    for (const candidate of candidates) {
      const pattern = entry.pathPatterns.find((p) => pathMatches(p, candidate.key));
      if (pattern !== undefined) return { verdict: 'trusted', by: candidate.by, entryId: entry.id, pattern };
    }
  }

  const name = (process.name || baseName(process.path)).toLowerCase();
  if (process.pathKey === '') {
    // Shells, interpreters and LOLBins are never trusted for their name: that is what an attacker runs.
    const entry = NEVER_TRUSTED_BY_NAME_ALONE.has(name) ? undefined : entries.find((e) => e.names.includes(name));
    if (entry !== undefined) return { verdict: 'name-only', entryId: entry.id };
    return { verdict: 'untrusted', nameMatchedEntry: '' };
  }
  const names = [name, baseName(caller.scriptKey)].filter((n) => n !== '');
  const misplaced = entries.find((e) => names.some((n) => e.names.includes(n)));
  return { verdict: 'untrusted', nameMatchedEntry: misplaced?.id ?? '' };
}
