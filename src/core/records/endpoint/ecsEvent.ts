import { isObject } from '../envelope';
import { NO_FIELDS, text } from '../fields';
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
  const event = record['event'];
  return 'event.category' in record || (isObject(event) && ('category' in event || isObject(record['ecs'])));
}

export function parseEcsEvent(record: unknown, origin: string): EndpointParsed {
  if (!isObject(record)) return { ok: false, reject: makeReject('ecs.not-an-object', 'The ECS record is not a JSON object.', record, origin) };
  // Most producers nest every field; the few that flatten them are read as the nested form they name.
  return readNestedEcs(hasDottedKey(record) ? nestFlattenedKeys(record) : record, record, origin);
}

/**
 * The event in a nested ECS record (`nested`; `record` is the record as received, for rejects and
 * its fingerprint). Fields are read by name from their objects, once each: reading some forty
 * dotted names through a generic path walker took about a third of the screening time of an ECS
 * record. A field three or more levels deep may also be written as a dotted key one level down
 * (`{"process": {"parent.name": "bash"}}`): `within` reads both.
 */
function readNestedEcs(nested: Readonly<Record<string, unknown>>, record: Readonly<Record<string, unknown>>, origin: string): EndpointParsed {
  const event = objectAt(nested, 'event');
  const destination = objectAt(nested, 'destination');
  const url = objectAt(nested, 'url');
  const file = objectAt(nested, 'file');
  const auditd = objectAt(nested, 'auditd');
  const processFields = objectAt(nested, 'process');
  const host = objectAt(nested, 'host');
  const categories = categoriesOf(lowerCaseList(event['category']), text(event['action']));
  const types = lowerCaseList(event['type']);

  const destinationIp = text(destination['ip']) ?? text(destination['address']);
  const urlDomain = text(url['domain']);
  const fullUrl = text(url['full']) ?? text(url['original']) ?? joinUrl(urlDomain, text(url['path']), text(url['query']));
  const filePath = text(file['path']) ?? joinPath(text(file['directory']), text(file['name'])) ?? text(within(auditd, SUMMARY_OBJECT_PRIMARY));
  let kind: 'network' | 'file' | 'process';
  if (categories.includes('network') && (destinationIp !== undefined || fullUrl !== undefined)) kind = 'network';
  else if (categories.includes('file') && filePath !== undefined) kind = 'file';
  else if (categories.includes('process')) kind = 'process';
  // A name lookup (Elastic Defend `lookup_requested`/`lookup_result`, Packetbeat DNS) reaches no
  // endpoint by itself; the connection that follows it is what the rules judge, as for Sysmon 22.
  else if (categories.includes('network') && isObject(nested['dns'])) return ignored('ecs.dns-lookup', origin);
  // Sysmon's named-pipe events (17, 18) through Elastic's pipelines: a pipe name in file.name, no path.
  else if (categories.includes('file') && isPipeEvent(nested, file)) return ignored('ecs.named-pipe', origin);
  else if (categories.includes('network') || categories.includes('file')) {
    return { ok: false, reject: makeReject('ecs.no-target', `The ECS ${categories.join('/')} event has no destination, URL or file path.`, record, origin) };
  } else return ignored(`ecs.category-${categories.join('+') || 'none'}`, origin);

  if (kind === 'network' && /^(ingress|inbound)$/i.test(text(objectAt(nested, 'network')['direction']) ?? '')) return ignored('ecs.network-inbound', origin);
  if (kind === 'process' && types.includes('end')) return ignored('ecs.process-end', origin);

  const timeMs = parseTime(nested['@timestamp']);
  if (timeMs === undefined) return { ok: false, reject: makeReject('ecs.no-time', 'The ECS event has no valid @timestamp.', record, origin) };

  // Auditbeat 6.x names the executable `process.exe` (and the directory `process.cwd`).
  const executable = text(processFields['executable']) ?? text(processFields['exe']);
  const eventId = text(event['id']);
  const sequence = text(auditd['sequence']);
  const hostId = text(host['id']);
  const user = objectAt(nested, 'user');
  return {
    ok: true,
    value: buildEndpointEvent({
      timeMs,
      hostName: text(host['name']) ?? text(host['hostname']) ?? '',
      hostId: hostId ?? '',
      platform: platformOf(text(within(host, OS_TYPE)) ?? text(within(host, OS_FAMILY)) ?? text(within(host, OS_PLATFORM)) ?? winlogPlatform(nested['winlog'])),
      kind,
      // The executable's own name when `name` is not its last part: auditd's `name` is the
      // 15-character kernel comm (`gc_linux_servic`), Elastic's sysmon_linux writes `sysmon` there.
      processName: nameOfExecutable(text(processFields['name']), executable),
      processPath: executable,
      // auditd-manager puts the PROCTITLE record (the command line) in process.title.
      commandLine: text(processFields['command_line']) ?? text(processFields['title']) ?? argsLine(processFields['args']),
      workingDirectory: text(processFields['working_directory']) ?? text(processFields['cwd']),
      pid: integerOf(processFields['pid']),
      parentName: text(within(processFields, PARENT_NAME)),
      parentPath: text(within(processFields, PARENT_EXECUTABLE)),
      parentCommandLine: text(within(processFields, PARENT_COMMAND_LINE)) ?? argsLine(within(processFields, PARENT_ARGS)),
      containerId: text(objectAt(nested, 'container')['id']),
      containerImage: containerImageOf(objectAt(nested, 'container')),
      account: accountName(text(user['domain']), text(user['name'])),
      network:
        kind === 'network'
          ? {
              destinationIp: destinationIp ?? '',
              destinationHost: text(destination['domain']) ?? urlDomain ?? '',
              destinationPort: integerOf(destination['port']) ?? integerOf(url['port']) ?? null,
              url: fullUrl ?? '',
              method: text(within(objectAt(nested, 'http'), REQUEST_METHOD)) ?? '',
            }
          : undefined,
      file: kind === 'file' && filePath !== undefined ? { path: filePath, action: fileActionOf(text(event['action']), types), previousPath: text(within(file, ORIGINAL_PATH)) } : undefined,
      format: 'ecs',
      recordId: eventId ? `ecs:${eventId}` : sequence ? `auditd:${hostId ?? text(host['name']) ?? ''}|${sequence}` : fingerprintWhenRead(record),
      category: text(objectAt(nested, 'data_stream')['dataset']) ?? text(event['dataset']) ?? text(event['module']) ?? 'ecs',
      origin,
    }),
  };
}

/** The object a field holds, or one with no fields when it holds anything else. */
function objectAt(parent: Readonly<Record<string, unknown>>, name: string): Readonly<Record<string, unknown>> {
  const value = parent[name];
  return isObject(value) ? value : NO_FIELDS;
}

/**
 * A field two or more levels below an object (`parent.name` below `process`), also when written
 * as a dotted key at some level (`{"parent.name": …}`, `{"summary": {"object.primary": …}}`): a
 * dotted key wins over the nested object, as a flattened key does at the top. The names are
 * split once, here: a dotted name built per read was a new string to look up on every record.
 */
interface DeepField {
  /** The whole name below the object (`object.primary`), then the same for each level down. */
  readonly dotted: string;
  readonly first: string;
  readonly rest: DeepField | string;
}

function deepField(...names: [string, string, ...string[]]): DeepField {
  const [first, ...below] = names;
  return { dotted: names.join('.'), first, rest: below.length === 1 ? below[0]! : deepField(...(below as [string, string, ...string[]])) };
}

const SUMMARY_OBJECT_PRIMARY = deepField('summary', 'object', 'primary');
/** Elastic Defend's rename: where the file was (`file.Ext.original.path`). */
const ORIGINAL_PATH = deepField('Ext', 'original', 'path');
const OS_TYPE = deepField('os', 'type');
const OS_FAMILY = deepField('os', 'family');
const OS_PLATFORM = deepField('os', 'platform');
const PARENT_NAME = deepField('parent', 'name');
const PARENT_EXECUTABLE = deepField('parent', 'executable');
const PARENT_COMMAND_LINE = deepField('parent', 'command_line');
const PARENT_ARGS = deepField('parent', 'args');
const REQUEST_METHOD = deepField('request', 'method');

/** ECS `container.image.name` with its first tag (`…/ciprod` and `3.1.23`); undefined when the event names no image. */
function containerImageOf(container: Readonly<Record<string, unknown>>): string | undefined {
  const image = objectAt(container, 'image');
  const name = text(image['name']) ?? text(container['image.name']);
  if (name === undefined) return undefined;
  const tags = image['tag'];
  const tag = Array.isArray(tags) ? text(tags[0]) : text(tags);
  return tag === undefined || name.includes(':') ? name : `${name}:${tag}`;
}

/** `process.args` (or `process.parent.args`) as one line, for an event with no `command_line`. */
function argsLine(value: unknown): string | undefined {
  const args = listOf(value);
  return args.length > 0 ? args.join(' ') : undefined;
}

function within(parent: Readonly<Record<string, unknown>>, field: DeepField): unknown {
  if (field.dotted in parent) return parent[field.dotted];
  const child = objectAt(parent, field.first);
  return typeof field.rest === 'string' ? child[field.rest] : within(child, field.rest);
}

/** Whether a record has a top-level key with a dot in it (`"process.name"`): flattened ECS fields. */
function hasDottedKey(record: Readonly<Record<string, unknown>>): boolean {
  for (const key in record) if (key.includes('.')) return true;
  return false;
}

/**
 * A copy of a record with its top-level dotted keys (`"process.parent.name": "bash"`) moved to
 * the nested objects they name; the record itself is not changed. A dotted key wins over what
 * the nested objects hold for the same field, and a longer one over a shorter one that names an
 * object around it (`"process.parent.name"` over `"process.parent": {…}`).
 */
function nestFlattenedKeys(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const nested: Record<string, unknown> = { ...record };
  const dottedKeys = Object.keys(record).filter((key) => key.includes('.'));
  dottedKeys.sort((a, b) => a.split('.').length - b.split('.').length);
  for (const key of dottedKeys) {
    delete nested[key];
    const parts = key.split('.');
    let parent = nested;
    for (let i = 0; i < parts.length - 1; i++) {
      // A dotted key one level down that names the same field would be read first (see within): it gives way.
      if (i > 0) delete parent[parts.slice(i).join('.')];
      const child = parent[parts[i]!];
      const copy: Record<string, unknown> = isObject(child) ? { ...child } : {};
      setOwn(parent, parts[i]!, copy);
      parent = copy;
    }
    setOwn(parent, parts[parts.length - 1]!, record[key]);
  }
  return nested;
}

/** An own field, whatever its name: `"__proto__.x"` names a field, it does not set a prototype. */
function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
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

/**
 * The platform of a Winlogbeat or Elastic Agent record that kept its `winlog` header (the sysmon
 * and sysmon_linux integrations): Sysmon for Linux names its own channel, anything else is Windows.
 */
function winlogPlatform(winlog: unknown): string | undefined {
  if (!isObject(winlog)) return undefined;
  return /^linux-sysmon/i.test(text(winlog['channel']) ?? text(winlog['provider_name']) ?? '') ? 'linux' : 'windows';
}

/**
 * Auditbeat before ECS categorisation (6.x, early 7.x) files every auditd rule hit under
 * `event.category: audit-rule` and says what happened in `event.action`: the ECS category it
 * would have today.
 */
function categoriesOf(categories: string[], action: string | undefined): string[] {
  if (categories.length !== 1 || categories[0] !== 'audit-rule') return categories;
  const legacy = LEGACY_AUDIT_ACTIONS[action?.toLowerCase() ?? ''];
  return legacy === undefined ? categories : [legacy];
}

const LEGACY_AUDIT_ACTIONS: Readonly<Record<string, string>> = { 'opened-file': 'file', executed: 'process', 'connected-to': 'network' };

/** The logged process name when it ends the executable's path (or there is no path); else undefined, for the path's own name. */
function nameOfExecutable(name: string | undefined, executable: string | undefined): string | undefined {
  return executable === undefined || (name !== undefined && executable.endsWith(name)) ? name : undefined;
}

/**
 * What happened to a file: `event.action`, or the ECS event types when the action says nothing
 * (Elastic's sysmon_linux pipeline sets every action to `log`; its deletions are type `deletion`).
 */
function fileActionOf(action: string | undefined, types: readonly string[]): string {
  return action !== undefined && action.toLowerCase() !== 'log' ? action : types.join('+');
}

/** A Sysmon pipe event (ids 17, 18) as Elastic writes it: a pipe name (`\\PSHost…`) and no file path. */
function isPipeEvent(nested: Readonly<Record<string, unknown>>, file: Readonly<Record<string, unknown>>): boolean {
  const id = text(objectAt(nested, 'winlog')['event_id']) ?? text(objectAt(nested, 'event')['code']);
  return id === '17' || id === '18' || (text(file['name'])?.startsWith('\\') ?? false);
}

function platformOf(os: string | undefined): EndpointPlatform {
  const o = (os ?? '').toLowerCase();
  if (o === 'windows') return 'windows';
  if (o === 'linux' || o === 'debian' || o === 'redhat' || o === 'ubuntu') return 'linux';
  // Elastic Defend and Auditbeat write `macos`; `darwin` is the kernel's name (os.platform).
  if (o === 'macos' || o === 'darwin') return 'macos';
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
