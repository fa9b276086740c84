/**
 * The alert row of a theft the detector raises (detectTheft.ts decides when): its reason in words,
 * its evidence, and every string from the record redacted and bounded, so the row stays far under
 * the Logs Ingestion sink's 1 MB and carries no credential.
 */
import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow, type Evidence, type Severity, type TheftVector } from '../alerts/alertRow';
import { boundAlertRow } from '../bounds/alertBounds';
import { boundText } from '../bounds/textBounds';
import type { EndpointEvent } from '../records/endpoint/endpointEvent';
import { isoTime } from '../records/time';
import { redactSecrets } from '../redact/redactSecrets';
import type { CallerProfile } from './callerProfile';
import type { TrustDecision } from './theftAllowlist';
import type { TheftMatch, TheftRule } from './theftRules';
import { theftSeverity, type CallerStanding } from './theftSeverity';

export const THEFT_DETECTOR = 'TokenTheft' as const;

export interface TheftAlertInput {
  readonly event: EndpointEvent;
  readonly rule: TheftRule;
  readonly match: TheftMatch;
  readonly standing: CallerStanding;
  readonly caller: CallerProfile;
  readonly trust: Exclude<TrustDecision, { verdict: 'trusted' }>;
  readonly id: string;
}

/** Every string from the record is bounded (boundAlertRow): the row stays far under the sink's 1 MB. */
export function theftAlert({ event, rule, match, standing, caller, trust, id }: TheftAlertInput): AlertRow {
  const severity = theftSeverity(match.strength, standing);
  const program = boundText(event.process.name || event.process.path || 'an unnamed process');
  const host = boundText(event.hostName || event.hostId || 'an unnamed host');
  const eventTime = isoTime(event.timeMs);
  return boundAlertRow({
    ...EMPTY_ALERT_FIELDS,
    AlertId: id,
    TimeGenerated: eventTime,
    EventTime: eventTime,
    Detector: THEFT_DETECTOR,
    AlertName: rule.name,
    Severity: severity,
    AADTenantId: event.tenantId,
    SourceCategory: event.source.category,
    Operation: match.operation,
    HostName: event.hostName,
    HostId: event.hostId,
    ProcessName: event.process.name,
    ProcessPath: event.process.path,
    ProcessCommandLine: redactSecrets(event.process.commandLine),
    AccountName: event.account,
    Vector: rule.vector,
    Target: redactSecrets(match.target),
    Reason: reasonOf(program, host, match, standing, caller, trust, severity, rule.vector, event.process.containerId),
    Evidence: evidenceOf(event, rule, match, standing, caller, trust),
    ...ATTACK,
  });
}

const VIA_WORDS: Record<TheftMatch['via'], string> = {
  url: 'the HTTP request',
  'command-line': 'the command line',
  'encoded-command': 'a decoded PowerShell -EncodedCommand',
  'environment-variable': 'an identity endpoint variable in the command line',
  connection: 'a network connection',
  'file-event': 'a file event',
};

function reasonOf(
  program: string,
  host: string,
  match: TheftMatch,
  standing: CallerStanding,
  caller: CallerProfile,
  trust: TheftAlertInput['trust'],
  severity: Severity,
  vector: TheftVector,
  container: string,
): string {
  const action =
    match.via === 'connection'
      ? `connected to the ${match.what} ${match.target}`
      : match.via === 'file-event'
        ? `accessed the ${match.what} ${match.target}`
        : vector === 'TokenEndpoint'
          ? `requested the ${match.what} endpoint ${match.target}`
          : `named the ${match.what} ${match.target} in its command line`;
  const evidence =
    match.strength === 'token-path'
      ? `a token path was seen in ${VIA_WORDS[match.via]}, so severity is ${severity}`
      : match.strength === 'identity-key'
        ? `the key that unlocks the machine's managed identity was read (${VIA_WORDS[match.via]}), so severity is ${severity}`
      : `only ${VIA_WORDS[match.via]} to the endpoint was seen, no token path, so severity is ${severity}`;
  const who =
    standing === 'suspicious'
      ? caller.description
      : standing === 'name-only'
        ? `allowlisted by name only (entry ${trust.verdict === 'name-only' ? trust.entryId : ''}; the telemetry has no executable path)`
        : standing === 'user-writable'
          ? `allowlisted by a path an ordinary user can write, a home folder or a drive other than C: (entry ${trust.verdict === 'user-writable' ? trust.entryId : ''})`
          : caller.description;
  const first =
    standing === 'suspicious'
      ? ''
      : standing === 'unidentified-interpreter'
        ? '; the telemetry does not say what this interpreter runs, so it is never a known caller'
        : vector === 'TokenEndpoint' ? '; first time this executable asked for a token on this host' : '; first time this executable touched a token file of this kind on this host';
  const misplaced =
    trust.verdict !== 'untrusted' || trust.nameMatchedEntry === ''
      ? ''
      : container !== ''
        ? `; its name matches allowlist entry ${trust.nameMatchedEntry}, a node agent, but it runs in container ${container.slice(0, 12)}, whose image chose its path`
        : `; its name matches allowlist entry ${trust.nameMatchedEntry} but its path is outside that entry's install locations`;
  return `${program} (${who}) on ${host} ${action}${first}${misplaced}; ${evidence}.`;
}

function evidenceOf(event: EndpointEvent, rule: TheftRule, match: TheftMatch, standing: CallerStanding, caller: CallerProfile, trust: TheftAlertInput['trust']): Evidence {
  return {
    rule: rule.id,
    service: match.service,
    what: match.what,
    via: match.via,
    strength: match.strength,
    url: redactSecrets(match.url),
    caller: { standing, category: caller.category, scriptPath: caller.scriptPath },
    allowlist:
      trust.verdict === 'name-only'
        ? { verdict: 'name-only', entry: trust.entryId, note: 'matched by image name only: the telemetry has no executable path, which is weaker evidence of a genuine agent' }
        : trust.verdict === 'user-writable'
          ? { verdict: 'user-writable', entry: trust.entryId, pattern: trust.pattern, note: 'matched by a path an ordinary user can write (a home folder, or a drive other than C:), where any program can be put: weaker evidence of a genuine agent' }
          : { verdict: 'untrusted', nameMatchedEntry: trust.nameMatchedEntry },
    process: { pid: event.process.pid, parentName: event.process.parentName, parentPath: event.process.parentPath, ...(event.process.containerId !== '' ? { containerId: event.process.containerId } : {}), ...(event.process.containerImage !== '' ? { containerImage: event.process.containerImage } : {}) },
    network: event.network === null ? null : { destinationIp: event.network.destinationIp, destinationHost: event.network.destinationHost, destinationPort: event.network.destinationPort },
    file: event.file === null ? null : { path: event.file.path, action: event.file.action },
    source: { format: event.source.format, recordId: event.source.recordId, category: event.source.category },
  };
}
