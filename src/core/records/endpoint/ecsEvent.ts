import { rememberBounded } from '../../boundedMemo';
import { isObject } from '../envelope';
import { text } from '../fields';
import { makeReject } from '../reject';
import { parseTime } from '../time';
import { accountName, buildEndpointEvent, integerOf } from './buildEndpointEvent';
import { ignored, type EndpointParsed, type EndpointPlatform } from './endpointEvent';
import { fingerprintWhenRead } from './recordFingerprint';

/**
 * Elastic Common Schema endpoint events (Elastic Defend `logs-endpoint.events.*`, Auditbeat,
 * auditd-manager) with `event.category` network, file or process. Fields may be nested objects or
 * flattened dotted keys (`"process.name": "curl"`). Other categories, inbound connections and
 * process-end events are ignored by kind.
 *
 * Example (auditd-manager `opened-file`, shortened):
 * `{"@timestamp":"2026-03-01T10:00:00.000Z","event":{"category":["file"],"action":"opened-file","module":"auditd"},
 *   "host":{"name":"aks-nodepool1-0","id":"5f0c…","os":{"type":"linux"}},"user":{"name":"root"},
 *   "file":{"path":"/var/run/secrets/kubernetes.io/serviceaccount/token"},
 *   "process":{"pid":4242,"name":"cat","executable":"/usr/bin/cat","title":"cat /var/run/secrets/kubernetes.io/serviceaccount/token"}}`
 */
export function looksLikeEcsEvent(record: unknown): boolean {
  if (!isObject(record)) return false;
  return ecsField(record, 'event.category') !== undefined || (isObject(record['ecs']) && isObject(record['event']));
}

export function parseEcsEvent(record: unknown, origin: string): EndpointParsed {
  if (!isObject(record)) return { ok: false, reject: makeReject('ecs.not-an-object', 'The ECS record is not a JSON object.', record, origin) };
  const categories = lowerCaseList(ecsField(record, 'event.category'));
  const types = lowerCaseList(ecsField(record, 'event.type'));
  const str = (path: string): string | undefined => text(ecsField(record, path));

  const destination = str('destination.ip') ?? str('destination.address');
  const url = str('url.full') ?? str('url.original') ?? joinUrl(str('url.domain'), str('url.path'), str('url.query'));
  const filePath = str('file.path') ?? joinPath(str('file.directory'), str('file.name')) ?? str('auditd.summary.object.primary');
  let kind: 'network' | 'file' | 'process';
  if (categories.includes('network') && (destination !== undefined || url !== undefined)) kind = 'network';
  else if (categories.includes('file') && filePath !== undefined) kind = 'file';
  else if (categories.includes('process')) kind = 'process';
  else if (categories.includes('network') || categories.includes('file')) {
    return { ok: false, reject: makeReject('ecs.no-target', `The ECS ${categories.join('/')} event has no destination, URL or file path.`, record, origin) };
  } else return ignored(`ecs.category-${categories.join('+') || 'none'}`, origin);

  if (kind === 'network' && /^(ingress|inbound)$/i.test(str('network.direction') ?? '')) return ignored('ecs.network-inbound', origin);
  if (kind === 'process' && types.includes('end')) return ignored('ecs.process-end', origin);

  const timeMs = parseTime(ecsField(record, '@timestamp'));
  if (timeMs === undefined) return { ok: false, reject: makeReject('ecs.no-time', 'The ECS event has no valid @timestamp.', record, origin) };

  const args = listOf(ecsField(record, 'process.args'));
  const eventId = str('event.id');
  const sequence = str('auditd.sequence');
  return {
    ok: true,
    value: buildEndpointEvent({
      timeMs,
      hostName: str('host.name') ?? str('host.hostname') ?? '',
      hostId: str('host.id') ?? '',
      platform: platformOf(str('host.os.type') ?? str('host.os.family') ?? str('host.os.platform')),
      kind,
      processName: str('process.name'),
      processPath: str('process.executable'),
      // auditd-manager puts the PROCTITLE record (the command line) in process.title.
      commandLine: str('process.command_line') ?? str('process.title') ?? (args.length > 0 ? args.join(' ') : undefined),
      workingDirectory: str('process.working_directory'),
      pid: integerOf(ecsField(record, 'process.pid')),
      parentName: str('process.parent.name'),
      parentPath: str('process.parent.executable'),
      account: accountName(str('user.domain'), str('user.name')),
      network:
        kind === 'network'
          ? {
              destinationIp: destination ?? '',
              destinationHost: str('destination.domain') ?? str('url.domain') ?? '',
              destinationPort: integerOf(ecsField(record, 'destination.port')) ?? integerOf(ecsField(record, 'url.port')) ?? null,
              url: url ?? '',
              method: str('http.request.method') ?? '',
            }
          : undefined,
      file: kind === 'file' && filePath !== undefined ? { path: filePath, action: str('event.action') ?? types.join('+') } : undefined,
      format: 'ecs',
      recordId: eventId ? `ecs:${eventId}` : sequence ? `auditd:${str('host.id') ?? str('host.name') ?? ''}|${sequence}` : fingerprintWhenRead(record),
      category: str('data_stream.dataset') ?? str('event.dataset') ?? str('event.module') ?? 'ecs',
      origin,
    }),
  };
}

/** A nested field (`process.parent.name`), or the same name as one flattened dotted key. */
export function ecsField(record: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in record) return record[path];
  const { parts, rests } = splitPath(path);
  const last = parts.length - 1;
  let current: unknown = record;
  for (let i = 0; i < last; i++) {
    if (!isObject(current)) return undefined;
    // Mixed shapes: {"process": {"parent.name": "…"}}.
    if (i > 0 && rests[i]! in current) return current[rests[i]!];
    current = current[parts[i]!];
  }
  // The last part is its own remainder: one plain read.
  return isObject(current) ? current[parts[last]!] : undefined;
}

/** A path's parts and the dotted remainder from each part on (`a.b.c` → `b.c` at 1), split once per path. */
const SPLIT_PATHS = new Map<string, { readonly parts: readonly string[]; readonly rests: readonly string[] }>();
function splitPath(path: string): { readonly parts: readonly string[]; readonly rests: readonly string[] } {
  const split = SPLIT_PATHS.get(path);
  if (split !== undefined) return split;
  const parts = path.split('.');
  // The parsers ask for a fixed set of field names; the bound only guards against a caller that does not.
  return rememberBounded(SPLIT_PATHS, path, { parts, rests: parts.map((_, i) => parts.slice(i).join('.')) }, 1_000);
}

/** listOf in lower case, built in one pass (every record reads two such lists). */
function lowerCaseList(value: unknown): string[] {
  if (typeof value === 'string') return [value.toLowerCase()];
  const list: string[] = [];
  if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') list.push(v.toLowerCase());
  return list;
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

function platformOf(os: string | undefined): EndpointPlatform {
  const o = (os ?? '').toLowerCase();
  if (o === 'windows') return 'windows';
  if (o === 'linux' || o === 'debian' || o === 'redhat' || o === 'ubuntu') return 'linux';
  return 'unknown';
}

function joinUrl(domain: string | undefined, path: string | undefined, query: string | undefined): string | undefined {
  if (domain === undefined) return undefined;
  return `http://${domain}${path ?? ''}${query ? `?${query}` : ''}`;
}

function joinPath(directory: string | undefined, name: string | undefined): string | undefined {
  if (directory === undefined || name === undefined) return undefined;
  const sep = directory.includes('\\') ? '\\' : '/';
  return `${directory.replace(/[\\/]+$/, '')}${sep}${name}`;
}
