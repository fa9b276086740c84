import type { EndpointEvent, EndpointEventKind, EndpointFile, EndpointFormat, EndpointNetwork, EndpointPlatform } from './endpointEvent';
import { baseName, normalisePath, platformOfPath } from './normalisePath';
import type { DeferredRecordId } from './recordFingerprint';

/** What a parser knows; everything optional becomes '' or null so the rules never meet undefined. */
export interface EndpointEventParts {
  readonly timeMs: number;
  readonly tenantId?: string | undefined;
  readonly hostName?: string | undefined;
  readonly hostId?: string | undefined;
  readonly platform?: EndpointPlatform | undefined;
  readonly kind: EndpointEventKind;
  readonly processName?: string | undefined;
  readonly processPath?: string | undefined;
  readonly commandLine?: string | undefined;
  readonly workingDirectory?: string | undefined;
  readonly pid?: number | undefined;
  readonly parentName?: string | undefined;
  readonly parentPath?: string | undefined;
  readonly parentCommandLine?: string | undefined;
  readonly containerId?: string | undefined;
  readonly containerImage?: string | undefined;
  readonly account?: string | undefined;
  readonly network?: Partial<EndpointNetwork> | undefined;
  readonly file?: { readonly path: string; readonly action?: string | undefined; readonly previousPath?: string | undefined } | undefined;
  readonly format: EndpointFormat;
  /** See DeferredRecordId: a fingerprint is worked out on the first read of `source.recordId`. */
  readonly recordId: DeferredRecordId;
  readonly category: string;
  readonly origin: string;
}

export function buildEndpointEvent(parts: EndpointEventParts): EndpointEvent {
  const path = parts.processPath ?? '';
  const parentPath = parts.parentPath ?? '';
  const name = parts.processName || baseName(path);
  const platform = parts.platform && parts.platform !== 'unknown' ? parts.platform : guessPlatform(path, parts.file?.path ?? '', name);
  const filePath = parts.file ? inWorkingDirectory(parts.file.path, parts.workingDirectory ?? '') : '';
  const previousPath = parts.file?.previousPath ? inWorkingDirectory(parts.file.previousPath, parts.workingDirectory ?? '') : '';
  const file: EndpointFile | null = parts.file ? { path: filePath, pathKey: normalisePath(filePath), action: parts.file.action ?? '', previousPath } : null;
  const network: EndpointNetwork | null = parts.network
    ? {
        destinationIp: parts.network.destinationIp ?? '',
        destinationHost: parts.network.destinationHost ?? '',
        destinationPort: parts.network.destinationPort ?? null,
        url: parts.network.url ?? '',
        method: (parts.network.method ?? '').toUpperCase(),
      }
    : null;
  return {
    timeMs: parts.timeMs,
    tenantId: parts.tenantId ?? '',
    hostName: parts.hostName ?? '',
    hostId: parts.hostId ?? '',
    platform,
    kind: parts.kind,
    process: {
      name,
      path,
      pathKey: path === '' ? '' : normalisePath(path),
      commandLine: parts.commandLine ?? '',
      workingDirectory: parts.workingDirectory ?? '',
      pid: parts.pid ?? null,
      parentName: parts.parentName || baseName(parentPath),
      parentPath,
      parentCommandLine: parts.parentCommandLine ?? '',
      containerId: parts.containerId ?? '',
      containerImage: parts.containerImage ?? '',
    },
    account: parts.account ?? '',
    network,
    file,
    source: endpointSource(parts.format, parts.recordId, parts.category, parts.origin),
  };
}

/**
 * A file path as the process named it, made absolute against its working directory when it is
 * relative: auditd records the path a syscall was given (`file.path: "token"` for `cat token` run
 * in `/var/run/secrets/kubernetes.io/serviceaccount`), and the rules match absolute paths.
 */
function inWorkingDirectory(path: string, workingDirectory: string): string {
  if (workingDirectory === '' || path === '' || isAbsolute(path) || !isAbsolute(workingDirectory)) return path;
  const separator = workingDirectory.includes('\\') && !workingDirectory.includes('/') ? '\\' : '/';
  return `${workingDirectory.replace(/[\\/]+$/, '')}${separator}${path}`;
}

/** `/…`, `C:\…`, `\\server\…` or `\Device\…`: a path that does not depend on a working directory. */
function isAbsolute(path: string): boolean {
  return /^(?:[\\/]|[a-z]:[\\/])/i.test(path);
}

function endpointSource(format: EndpointFormat, recordId: DeferredRecordId, category: string, origin: string): EndpointEvent['source'] {
  if (typeof recordId === 'string') return { format, recordId, category, origin };
  let id: string | undefined;
  let fingerprint: (() => string) | undefined = recordId;
  return {
    format,
    // An own enumerable property like the plain one: spreading, JSON and equality see the same object.
    get recordId(): string {
      if (id === undefined) {
        id = (fingerprint as () => string)();
        // The record is no longer needed once its id is known.
        fingerprint = undefined;
      }
      return id;
    },
    category,
    origin,
  };
}

function guessPlatform(processPath: string, filePath: string, name: string): EndpointPlatform {
  const byPath = platformOfPath(processPath);
  const byFile = platformOfPath(filePath);
  // `/usr/bin/curl` reading `/Users/bob/.aws/credentials` is a Mac's curl.
  if (byPath === 'linux' && byFile === 'macos') return byFile;
  if (byPath !== 'unknown') return byPath;
  if (byFile !== 'unknown') return byFile;
  return /\.exe$/i.test(name) ? 'windows' : 'unknown';
}

/** `DOMAIN\user`, or `user` alone when the domain is unknown. */
export function accountName(domain: string | undefined, user: string | undefined): string {
  if (!user) return '';
  if (user.includes('\\') || !domain) return user;
  return `${domain}\\${user}`;
}

/** A port or process id that may be logged as a number or a string; undefined when absent or malformed. */
export function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  // Security 4688-style hex process ids (`0x1e24`).
  if (typeof value === 'string' && /^\s*0x[0-9a-f]+\s*$/i.test(value)) return Number.parseInt(value.trim().slice(2), 16);
  return undefined;
}
