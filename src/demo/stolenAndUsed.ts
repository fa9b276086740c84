import { machineOfIdentity, type MachineLink } from '../core/correlation/machineLink';
import { parseTime } from '../core/records/time';
import { generateEndpointTelemetry, type EndpointTelemetry, type EndpointTelemetryOptions, type TenantMachinePlan } from './endpointTelemetry';
import type { DemoIdentity } from './identities';
import { LEARNING_PERIOD_MS, type DemoTenant, type PlantedAttack } from './tenant';
import { MS_PER_DAY } from './timeFormat';

/**
 * The stolen-and-used story of the demo: the endpoint telemetry and the tenant describe the same
 * estate, so a Managed Identity token fetched from IMDS on one of the tenant's VMs (a theft alert)
 * and used from outside Azure within 24 hours (a remote-use alert) are one High TheftAndUse
 * incident. The use is one of the tenant's planted stories (RPL1 with the default seeds: a VM's
 * token replayed from a Vultr server on day 6), the theft is planted in the VM's Defender for
 * Endpoint telemetry 10–90 minutes before it, and the telemetry covers the tenant's first days.
 * Two controls keep the join honest: an administrator's PowerShell asking IMDS for the token of
 * another VM, whose identity is never used outside Azure (a theft alert, no incident), and a remote
 * use of a third VM that reports no endpoint telemetry (a remote-use alert, no incident).
 */

export type IncidentKind =
  /** A theft on the VM and a use of its identity from outside Azure: one TheftAndUse incident. */
  | 'stolen-and-used'
  /** A theft alert on a VM whose identity is not used outside Azure: no incident. */
  | 'theft-only'
  /** A remote-use alert of a VM without endpoint telemetry: no incident. */
  | 'use-only';

export interface PlantedIncident {
  /** `SU1` for the incident, `SU-C1` / `SU-C2` for the controls. */
  readonly id: string;
  readonly kind: IncidentKind;
  readonly expectIncident: boolean;
  /** The VM's Azure name. */
  readonly machineName: string;
  /** The VM's resource id (the identity's `xms_mirid`). */
  readonly machineResourceId: string;
  /** `PlantedTheft.act` of the theft half; null for a use-only control. */
  readonly theftAct: string | null;
  /** `PlantedAttack.id` of the use half; null for a theft-only control. */
  readonly useStory: string | null;
  /** How the join is expected to tie the halves; null when no incident is expected. */
  readonly expectedLink: MachineLink | null;
  readonly description: string;
}

export interface DemoEndpointTelemetry {
  readonly telemetry: EndpointTelemetry;
  readonly plan: TenantMachinePlan;
  readonly incidents: PlantedIncident[];
}

/**
 * Defender for Endpoint names a host by DeviceName and DeviceId, not by its Azure resource id, so
 * the theft half reaches the join by host name (`vm-contoso-app-01.contoso.com` → `vm-contoso-app-01`).
 * (Sysmon rows exported from Sentinel carry the VM's `_ResourceId`, which would link by
 * `azure-resource-id`, but their `TenantId` is the Log Analytics workspace, which the join reads as
 * a tenant that disagrees with the identity's: no incident. Hence Defender for the tenant's VMs.)
 */
const DEFENDER_LINK: MachineLink = 'host-name';

/** 2 hours: the theft needs room before the use inside the telemetry's first day. */
const THEFT_ROOM_MS = 2 * 3_600_000;

/**
 * The endpoint telemetry of the tenant's estate, from the tenant's first day, with the tenant's
 * VMs of the stolen-and-used story among its hosts, and the incidents it is expected to raise.
 */
export function endpointTelemetryForTenant(tenant: DemoTenant, options: Omit<EndpointTelemetryOptions, 'start' | 'tenantMachines'> = {}): DemoEndpointTelemetry {
  const startMs = tenantStartMs(tenant);
  const days = options.days ?? 7;
  const endMs = startMs + days * MS_PER_DAY;
  const { plan, use, otherUse } = planStolenAndUsed(tenant, startMs, endMs);
  const telemetry = generateEndpointTelemetry({ ...options, start: new Date(startMs).toISOString().slice(0, 10), days, tenantMachines: plan });
  const theft = telemetry.planted.find((p) => p.act === 'intruder-curl-imds');
  const control = telemetry.planted.find((p) => p.act === 'admin-powershell-imds');
  if (theft === undefined || control === undefined) throw new Error('endpointTelemetryForTenant: the telemetry lacks the planted acts.');
  const incidents: PlantedIncident[] = [
    {
      id: 'SU1',
      kind: 'stolen-and-used',
      expectIncident: true,
      machineName: plan.stolen.name,
      machineResourceId: plan.stolen.resourceId,
      theftAct: theft.act,
      useStory: use.id,
      expectedLink: DEFENDER_LINK,
      description:
        `curl.exe fetches ${plan.stolen.name}'s token from IMDS at ${theft.time.slice(11, 19)} on ${theft.time.slice(0, 10)} (${theft.id}), ` +
        `${use.id} uses it from ${use.asOrganization} (AS${use.asn}) at ${use.time.slice(11, 19)}: one High incident, linked by ${DEFENDER_LINK}.`,
    },
    {
      id: 'SU-C1',
      kind: 'theft-only',
      expectIncident: false,
      machineName: plan.control.name,
      machineResourceId: plan.control.resourceId,
      theftAct: control.act,
      useStory: null,
      expectedLink: null,
      description: `An administrator's PowerShell asks IMDS for ${plan.control.name}'s token (${control.id}); its identity is never used outside Azure: a theft alert, no incident.`,
    },
  ];
  if (otherUse !== undefined) {
    incidents.push({
      id: 'SU-C2',
      kind: 'use-only',
      expectIncident: false,
      machineName: machineOfIdentity(otherUse.identityResourceId)?.name ?? otherUse.identityName,
      machineResourceId: otherUse.identityResourceId,
      theftAct: null,
      useStory: otherUse.id,
      expectedLink: null,
      description: `${otherUse.identityName} is used outside Azure (${otherUse.id}) but reports no endpoint telemetry: a remote-use alert, no incident.`,
    });
  }
  return { telemetry, plan, incidents };
}

/** Midnight UTC of the tenant's first day: its activation time is its earliest record + the learning period. */
export function tenantStartMs(tenant: DemoTenant): number {
  const firstMs = Date.parse(tenant.activationTime) - LEARNING_PERIOD_MS;
  return Math.floor(firstMs / MS_PER_DAY) * MS_PER_DAY;
}

const isVirtualMachine = (resourceId: string): boolean => /\/providers\/microsoft\.compute\/virtualmachines\/[^/]+$/i.test(resourceId);

/**
 * Picks the parts: the use is the tenant's first planted attack (not a legitimate footprint's Low)
 * on a VM's identity inside the telemetry's days, the control VM the first VM no story names and
 * with no outside-Azure footprint, the use-only control the last other machine's alerting use at
 * or before the stolen use (the first after it when none).
 */
function planStolenAndUsed(tenant: DemoTenant, startMs: number, endMs: number): { plan: TenantMachinePlan; use: PlantedAttack; otherUse: PlantedAttack | undefined } {
  const timeOf = (p: PlantedAttack): number => parseTime(p.time) ?? Number.NaN;
  const use = tenant.planted.find(
    (p) => p.expectAlert && p.kind !== 'outside-azure-usual-ip' && isVirtualMachine(p.identityResourceId) && timeOf(p) >= startMs + THEFT_ROOM_MS && timeOf(p) < endMs,
  );
  if (use === undefined) throw new Error('endpointTelemetryForTenant: no planted remote use of a VM identity inside the endpoint telemetry\'s days.');
  const victim = identityOf(tenant, use.identityResourceId);
  const named = new Set(tenant.planted.map((p) => p.identityResourceId.toLowerCase()));
  const control = tenant.identities.find((i) => i.kind === 'virtualMachine' && i !== victim && i.onPremises === null && !named.has(i.resourceId.toLowerCase()));
  if (control === undefined) throw new Error('endpointTelemetryForTenant: no VM whose identity no story uses, for the control.');

  const endpointMachines = new Set([victim.resourceId.toLowerCase(), control.resourceId.toLowerCase()]);
  const others = tenant.planted.filter(
    (p) => p.expectAlert && machineOfIdentity(p.identityResourceId) !== undefined && !endpointMachines.has(p.identityResourceId.toLowerCase()) && timeOf(p) >= startMs && timeOf(p) < endMs,
  );
  const useMs = timeOf(use);
  const before = others.filter((p) => timeOf(p) <= useMs);
  const otherUse = before.length > 0 ? before[before.length - 1] : others[0];

  const plan: TenantMachinePlan = {
    stolen: { name: victim.name, resourceId: victim.resourceId, useStory: use.id, useTime: use.time, tokenIssuedAt: use.tokenIssuedAt },
    control: { name: control.name, resourceId: control.resourceId },
  };
  return { plan, use, otherUse };
}

function identityOf(tenant: DemoTenant, resourceId: string): DemoIdentity {
  const identity = tenant.identities.find((i) => i.resourceId === resourceId);
  if (identity === undefined) throw new Error(`endpointTelemetryForTenant: no identity ${resourceId}.`);
  return identity;
}
