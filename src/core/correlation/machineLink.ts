/**
 * Which machine an alert is about, so that a theft on a host and a remote use of that host's
 * Managed Identity can be recognised as one story: from a theft alert, its host name and, when the
 * telemetry names one, the host's Azure resource id (`HostId`); from a remote-use alert, the
 * virtual machine or Azure Arc machine its identity belongs to (`xms_mirid` / the catalogued
 * resource id: `…/Microsoft.Compute/virtualMachines/<name>`, `…/Microsoft.HybridCompute/machines/<name>`).
 */
import type { AlertRow } from '../alerts/alertRow';

export interface Machine {
  /** The host name as both sides can name it: lower-cased, without a domain suffix (`vm-web01`). */
  readonly name: string;
  /** The machine's Azure resource id, lower-cased; '' when the alert does not name it. */
  readonly resourceId: string;
}

/** How a theft and a use were found to be on one machine, strongest first. */
export type MachineLink = 'azure-resource-id' | 'host-name';

const MACHINE_RESOURCE = /\/providers\/(microsoft\.compute\/virtualmachines|microsoft\.hybridcompute\/machines)\/([^/]+)$/;

/** The machine a Managed Identity belongs to: only a VM's or an Arc machine's system-assigned identity names one. */
export function machineOfIdentity(resourceId: string): Machine | undefined {
  const id = resourceId.trim().toLowerCase().replace(/\/+$/, '');
  const match = MACHINE_RESOURCE.exec(id);
  if (match === null) return undefined;
  return { name: hostLabel(match[2]!), resourceId: id };
}

/**
 * The machine a theft alert's host is: its resource id and Azure name when `HostId` is one (the
 * operating system's host name may differ from the Azure name, which is what identities name),
 * else its host name.
 */
export function machineOfHost(hostName: string, hostId: string): Machine | undefined {
  const byId = machineOfIdentity(hostId);
  if (byId !== undefined) return byId;
  const name = hostLabel(hostName);
  return name === '' ? undefined : { name, resourceId: '' };
}

/** The machine of any alert that can take part in a theft-and-use story. */
export function machineOfAlert(alert: AlertRow): Machine | undefined {
  if (alert.Detector === 'TokenTheft') return machineOfHost(alert.HostName, alert.HostId);
  // An exposure row (a usual external use, TOKENWATCH_USUAL_EXTERNAL=exposure) is a use too: a theft on the machine joins it.
  if (alert.Detector === 'RemoteTokenUse' || alert.Detector === 'RemoteTokenUseExposure') return machineOfIdentity(alert.IdentityResourceId);
  return undefined;
}

/**
 * Whether two descriptions name one machine, and how: equal resource ids when both sides have
 * one (different ids are different machines, whatever their names), else equal names.
 */
export function sameMachine(a: Machine, b: Machine): MachineLink | undefined {
  if (a.resourceId !== '' && b.resourceId !== '') return a.resourceId === b.resourceId ? 'azure-resource-id' : undefined;
  return a.name !== '' && a.name === b.name ? 'host-name' : undefined;
}

/** `VM-WEB01.contoso.com` → `vm-web01`: Windows and Defender give the FQDN, Azure the bare name. */
function hostLabel(host: string): string {
  const lower = host.trim().toLowerCase();
  const dot = lower.indexOf('.');
  return dot < 0 ? lower : lower.slice(0, dot);
}
