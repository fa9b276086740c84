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
  /** The rule's decision: one of the outcomes made for it by `decisions` (see there). */
  readonly outcome: (facts: UseFacts) => LadderOutcome;
}

/**
 * A rule's possible outcomes, made once with its id: every Managed Identity use is judged, and
 * building an outcome per use (then copying it to add the id) was a fifth of a microsecond of
 * each, as long as reading the use's baseline rows.
 */
function decisions<K extends string>(ruleId: string, outcomes: Record<K, Omit<LadderOutcome, 'ruleId'>>): Record<K, LadderOutcome> {
  const made = {} as Record<K, LadderOutcome>;
  for (const key of Object.keys(outcomes) as K[]) made[key] = Object.freeze({ ruleId, ...outcomes[key] });
  return made;
}

const UNKNOWN_IP = decisions('unknown-ip', { quiet: { severity: undefined, attribute: 'none', learn: false } });
const INTERNAL = decisions('internal', { learned: { severity: undefined, attribute: 'none', learn: true } });
const ALLOWLISTED = decisions('allowlisted', { quiet: { severity: undefined, attribute: 'none', learn: false } });
const LEARNING = decisions('learning', { low: { severity: 'Low', attribute: 'none', learn: true }, arc: { severity: undefined, attribute: 'none', learn: true } });
const UNUSUAL_ASN = decisions('unusual-asn', { high: { severity: 'High', attribute: 'asn', learn: false } });
const UNUSUAL_IP = decisions('unusual-ip', { medium: { severity: 'Medium', attribute: 'ip', learn: false } });
const USUAL_EXTERNAL = decisions('usual-external', { low: { severity: 'Low', attribute: 'none', learn: true }, arc: { severity: undefined, attribute: 'none', learn: true } });

export const LADDER: readonly LadderRule[] = [
  {
    id: 'unknown-ip',
    description: 'No usable caller IP: nothing to compare, nothing to learn.',
    when: (f) => f.scope === 'unknown',
    outcome: () => UNKNOWN_IP.quiet,
  },
  {
    id: 'internal',
    description: 'Azure or private address: the token stayed inside the cloud or the customer network; always learned.',
    when: (f) => f.scope === 'azure' || f.scope === 'private',
    outcome: () => INTERNAL.learned,
  },
  {
    id: 'allowlisted',
    description: 'External use from an operator-allowlisted IP or ASN: usual by decree, no Low.',
    when: (f) => f.allowlisted,
    outcome: () => ALLOWLISTED.quiet,
  },
  {
    id: 'learning',
    description: 'Tenant still in its 14-day learning period: external use is Low (none for Arc) and learned.',
    when: (f) => !f.tenantActive,
    outcome: (f) => (f.isArc ? LEARNING.arc : LEARNING.low),
  },
  {
    id: 'unusual-asn',
    description: 'External use from an ASN absent from the 30-day baseline: High; not learned.',
    when: (f) => !f.asnInBaseline,
    outcome: () => UNUSUAL_ASN.high,
  },
  {
    id: 'unusual-ip',
    description: 'External use from a known ASN but an IP absent from the 30-day baseline: Medium; not learned.',
    when: (f) => !f.ipInBaseline,
    outcome: () => UNUSUAL_IP.medium,
  },
  {
    id: 'usual-external',
    description: 'External use from a usual IP and ASN: Low (none for Arc); refreshes the baseline.',
    when: () => true,
    outcome: (f) => (f.isArc ? USUAL_EXTERNAL.arc : USUAL_EXTERNAL.low),
  },
];

export function judgeUse(facts: UseFacts, rules: readonly LadderRule[] = LADDER): LadderOutcome {
  for (const rule of rules) {
    if (rule.when(facts)) return rule.outcome(facts);
  }
  throw new Error('remoteUse: the ladder has no catch-all rule');
}

export const ALERT_NAMES: Readonly<Record<Severity, string>> = {
  Low: 'Remote usage of an Azure Managed Identity token',
  Medium: 'Remote usage of an Azure Managed Identity token from an unusual IP',
  High: 'Remote usage of an Azure Managed Identity token from an unusual ASN',
};
