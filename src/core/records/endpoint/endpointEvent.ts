import type { Parsed } from '../reject';

/**
 * One endpoint observation, normalised from any supported telemetry format: a process that made a
 * network connection or HTTP request, touched a file, or was started with a command line.
 * The theft rules read only this type, never a source format.
 */
export type EndpointPlatform = 'windows' | 'linux' | 'macos' | 'unknown';
export type EndpointEventKind = 'network' | 'file' | 'process';

/** The telemetry formats the parsers understand; kept in Evidence so an analyst knows where to look. */
export type EndpointFormat =
  | 'mde-streaming'
  | 'mde-log-analytics'
  | 'sysmon'
  | 'windows-security-5156'
  | 'ecs';

export interface EndpointProcess {
  /** Image file name as logged (`powershell.exe`, `curl`); '' when unknown. */
  readonly name: string;
  /** Executable path as logged, for display (`\device\harddiskvolume2\windows\…\powershell.exe`); '' when unknown. */
  readonly path: string;
  /** The path normalised for matching (see normaliseExecutablePath); '' when unknown. */
  readonly pathKey: string;
  readonly commandLine: string;
  /**
   * The process's working directory as logged ('' when the telemetry has none: ECS
   * `process.working_directory`, Sysmon 1 `CurrentDirectory`). It turns a relative script path in
   * the command line (`python3 -u bin/WALinuxAgent-2.9.1.1-py3.8.egg`) into the installed file.
   */
  readonly workingDirectory: string;
  readonly pid: number | null;
  readonly parentName: string;
  readonly parentPath: string;
  /**
   * The parent's command line, '' when the telemetry has none (Defender's process rows, Sysmon 1
   * and ECS process events carry it): the script a shell parent runs is what TrustedProcess.parentScripts reads.
   */
  readonly parentCommandLine: string;
  /**
   * The container the process runs in (ECS `container.id`), '' when the telemetry names none. Its
   * executable path is the image's, which whoever built the image chose: a node agent's path
   * inside a container proves nothing (TrustedProcess.hostOnly).
   */
  readonly containerId: string;
  /** The container's image (`mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1.23`), '' when the telemetry names none. */
  readonly containerImage: string;
}

export interface EndpointNetwork {
  /** Destination address as logged ('' when the telemetry has only a URL or host name). */
  readonly destinationIp: string;
  /** Destination host name or URL host ('' when unknown). */
  readonly destinationHost: string;
  readonly destinationPort: number | null;
  /** Full URL when the telemetry is HTTP-aware; '' otherwise. */
  readonly url: string;
  /** HTTP method when known (`GET`, `PUT`); ''. */
  readonly method: string;
}

export interface EndpointFile {
  /** File path as logged. */
  readonly path: string;
  /** The path normalised for matching (see normaliseFilePath). */
  readonly pathKey: string;
  /** What happened to it, as the source names it (`FileCreated`, `opened-file`, `creation`). */
  readonly action: string;
  /**
   * Where a renamed or moved file was before, as logged (MDE `PreviousFolderPath` and
   * `PreviousFileName`, Elastic Defend `file.Ext.original.path`); '' when the source names none.
   */
  readonly previousPath: string;
}

export interface EndpointEvent {
  /**
   * Event time, epoch milliseconds UTC. The ISO form is made where a row needs it (isoTime): only
   * alert rows do, and formatting it for every parsed event cost more than reading the time.
   */
  readonly timeMs: number;
  /** Entra tenant id when the record carries one; ''. */
  readonly tenantId: string;
  readonly hostName: string;
  /** A stable host id (MDE DeviceId, ECS host.id, an Azure resource id); '' when the telemetry has none. */
  readonly hostId: string;
  readonly platform: EndpointPlatform;
  readonly kind: EndpointEventKind;
  /** The process that acted: the initiating process of a connection or file event, the new process of a process event. */
  readonly process: EndpointProcess;
  /** `DOMAIN\user` or `user`; ''. */
  readonly account: string;
  readonly network: EndpointNetwork | null;
  readonly file: EndpointFile | null;
  readonly source: {
    readonly format: EndpointFormat;
    /**
     * Identifies the record: the source's own id when it has one (MDE `DeviceId|ReportId|Timestamp`,
     * Windows `EventRecordID`, ECS `event.id`), otherwise a SHA-256 fingerprint of the record, so a
     * redelivered record always has the same id.
     */
    readonly recordId: string;
    /** Category or channel the record came from (`AdvancedHunting-DeviceNetworkEvents`, `Microsoft-Windows-Sysmon/Operational`). */
    readonly category: string;
    readonly origin: string;
  };
}

/** A record of a known format that carries nothing the theft rules look at (a registry event, an inbound connection). */
export interface Ignored {
  readonly ok: 'ignored';
  /** Counter key: `sysmon.event-12`, `mde.DeviceRegistryEvents`, `ecs.category-authentication`. */
  readonly kind: string;
  readonly origin: string;
}

export type EndpointParsed = Parsed<EndpointEvent> | Ignored;

export function ignored(kind: string, origin: string): Ignored {
  return { ok: 'ignored', kind, origin };
}
