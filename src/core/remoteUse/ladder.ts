import type { IpScope, Severity } from '../alerts/alertRow';

/**
 * The severity ladder of the remote-use detector, as data: the first rule whose `when` holds
 * decides. Modelled on the analytics alert "Remote usage of an Azure Managed Identity token"
 * (base Low, unusual IP Medium, unusual ASN High, 14-day activation, 30-day training window),
 * with three additions: internal uses never alert, Azure Arc machines (outside Azure by design)
 * never raise the Low, and an attacker cannot teach the baseline after activation.
 */
export interface UseFacts {
  readonly scope: IpScope;
  /** The tenant has 14 days of history: before that the detector only learns. */
  readonly tenantActive: boolean;
  /** Identity belongs to an Azure Arc-enabled server. */
  readonly isArc: boolean;
  /** The IP or its ASN is in an operator allowlist (tenant-wide or for this identity). */
  readonly allowlisted: boolean;
  readonly asnInBaseline: boolean;
  readonly ipInBaseline: boolean;
}

export type UnusualAttribute = 'asn' | 'ip' | 'none';

export interface LadderOutcome {
  readonly ruleId: string;
  readonly severity: Severity | undefined;
  /** What made it unusual: part of the dedup key (the ASN for High, the IP for Medium). */
  readonly attribute: UnusualAttribute;
  /** Whether the use enters (or refreshes) the identity's baseline. */
  readonly learn: boolean;
}

export interface LadderRule {
  readonly id: string;
  readonly description: string;
  readonly when: (facts: UseFacts) => boolean;
  readonly outcome: (facts: UseFacts) => Omit<LadderOutcome, 'ruleId'>;
}

export const LADDER: readonly LadderRule[] = [
  {
    id: 'unknown-ip',
    description: 'No usable caller IP: nothing to compare, nothing to learn.',
    when: (f) => f.scope === 'unknown',
    outcome: () => ({ severity: undefined, attribute: 'none', learn: false }),
  },
  {
    id: 'internal',
    description: 'Azure or private address: the token stayed inside the cloud or the customer network; always learned.',
    when: (f) => f.scope === 'azure' || f.scope === 'private',
    outcome: () => ({ severity: undefined, attribute: 'none', learn: true }),
  },
  {
    id: 'allowlisted',
    description: 'External use from an operator-allowlisted IP or ASN: usual by decree, no Low.',
    when: (f) => f.allowlisted,
    outcome: () => ({ severity: undefined, attribute: 'none', learn: false }),
  },
  {
    id: 'learning',
    description: 'Tenant still in its 14-day learning period: external use is Low (none for Arc) and learned.',
    when: (f) => !f.tenantActive,
    outcome: (f) => ({ severity: f.isArc ? undefined : 'Low', attribute: 'none', learn: true }),
  },
  {
    id: 'unusual-asn',
    description: 'External use from an ASN absent from the 30-day baseline: High; not learned.',
    when: (f) => !f.asnInBaseline,
    outcome: () => ({ severity: 'High', attribute: 'asn', learn: false }),
  },
  {
    id: 'unusual-ip',
    description: 'External use from a known ASN but an IP absent from the 30-day baseline: Medium; not learned.',
    when: (f) => !f.ipInBaseline,
    outcome: () => ({ severity: 'Medium', attribute: 'ip', learn: false }),
  },
  {
    id: 'usual-external',
    description: 'External use from a usual IP and ASN: Low (none for Arc); refreshes the baseline.',
    when: () => true,
    outcome: (f) => ({ severity: f.isArc ? undefined : 'Low', attribute: 'none', learn: true }),
  },
];

export function judgeUse(facts: UseFacts, rules: readonly LadderRule[] = LADDER): LadderOutcome {
  for (const rule of rules) {
    if (rule.when(facts)) return { ruleId: rule.id, ...rule.outcome(facts) };
  }
  throw new Error('remoteUse: the ladder has no catch-all rule');
}

export const ALERT_NAMES: Readonly<Record<Severity, string>> = {
  Low: 'Remote usage of an Azure Managed Identity token',
  Medium: 'Remote usage of an Azure Managed Identity token from an unusual IP',
  High: 'Remote usage of an Azure Managed Identity token from an unusual ASN',
};
