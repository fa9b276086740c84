import type { IpScope, Severity } from '../alerts/alertRow';

/**
 * The severity ladder of the remote-use detector, as data. Two tables:
 *
 * - LADDER: the baseline rules, modelled on the analytics alert "Remote usage of an Azure Managed
 *   Identity token" (base Low, unusual IP Medium, unusual ASN High, 14-day activation, 30-day
 *   training window); the first rule whose `when` holds decides. Additions: private uses never
 *   alert, an Azure use from a region absent from the baseline is Medium (the attacker inside
 *   Azure), Azure Arc machines (outside Azure by design) never raise the Low, and an attacker
 *   cannot teach the baseline after activation.
 * - TOKEN_RULES: rules about the token itself, which need no baseline and hold from day 0: the
 *   same token used from a second network (replay: proof that it was copied), and a network that
 *   was the second network of a replay. Every one that holds applies beside the baseline rule.
 *
 * One use gives one outcome: the highest severity of the rules that applied wins (the token rules
 * first on a tie), the use is learned only when every rule that applied learns it, and `rules`
 * names them all for the alert's reason.
 */
export interface UseFacts {
  readonly scope: IpScope;
  /** The tenant has 14 days of history: before that the baseline rules only learn. */
  readonly tenantActive: boolean;
  /** Identity belongs to an Azure Arc-enabled server. */
  readonly isArc: boolean;
  /** The IP or its ASN is in an operator allowlist (tenant-wide or for this identity). */
  readonly allowlisted: boolean;
  readonly asnInBaseline: boolean;
  readonly ipInBaseline: boolean;
  /**
   * Azure scope: the address's Azure region (its `AzureCloud.<region>` service tag), or its ASN when
   * no regional tag holds it, is in the 30-day baseline.
   */
  readonly azureNetworkInBaseline: boolean;
  /** The token was first used from another network (see network.ts). */
  readonly tokenReplayed: boolean;
  /** The address's network was the second network of an earlier replay of this identity's tokens. */
  readonly networkReplayed: boolean;
}

/**
 * What made a use unusual, the last part of its dedup key: the ASN (High), the IP (Medium), the
 * Azure region (Medium), the network (a replay, High; an ASN network is written like an ASN and a
 * region network like a region, so a replay and an unusual ASN or region of the same network are
 * the same alert for dedup).
 */
export type UnusualAttribute = 'asn' | 'ip' | 'region' | 'network' | 'none';

export interface LadderOutcome {
  /** The rule that decided the severity. */
  readonly ruleId: string;
  /** Every rule that applied, the deciding one first. */
  readonly rules: readonly string[];
  readonly severity: Severity | undefined;
  readonly attribute: UnusualAttribute;
  /** Whether the use enters (or refreshes) the identity's baseline. */
  readonly learn: boolean;
}

export interface LadderRule {
  readonly id: string;
  readonly description: string;
  /** The alert's name when this rule decides its severity. */
  readonly alertName: string;
  readonly when: (facts: UseFacts) => boolean;
  /** The rule's decision: one of the outcomes made for it by `decisions` (see there). */
  readonly outcome: (facts: UseFacts) => LadderOutcome;
}

type Decision = Omit<LadderOutcome, 'ruleId' | 'rules'>;

/**
 * A rule's possible outcomes, made once with its id: every Managed Identity use is judged, and
 * building an outcome per use (then copying it to add the id) was a fifth of a microsecond of
 * each, as long as reading the use's baseline rows.
 */
function decisions<K extends string>(ruleId: string, outcomes: Record<K, Decision>): Record<K, LadderOutcome> {
  const made = {} as Record<K, LadderOutcome>;
  for (const key of Object.keys(outcomes) as K[]) made[key] = Object.freeze({ ruleId, rules: Object.freeze([ruleId]), ...outcomes[key] });
  return made;
}

const QUIET: Decision = { severity: undefined, attribute: 'none', learn: false };
const LEARNED: Decision = { severity: undefined, attribute: 'none', learn: true };
const UNKNOWN_IP = decisions('unknown-ip', { quiet: QUIET });
const ALLOWLISTED = decisions('allowlisted', { quiet: QUIET });
const PRIVATE = decisions('private', { learned: LEARNED });
const UNUSUAL_REGION = decisions('unusual-region', { medium: { severity: 'Medium', attribute: 'region', learn: false } });
const INTERNAL = decisions('internal', { learned: LEARNED });
const LEARNING = decisions('learning', { low: { severity: 'Low', attribute: 'asn', learn: true }, arc: LEARNED });
const UNUSUAL_ASN = decisions('unusual-asn', { high: { severity: 'High', attribute: 'asn', learn: false } });
const UNUSUAL_IP = decisions('unusual-ip', { medium: { severity: 'Medium', attribute: 'ip', learn: false } });
const USUAL_EXTERNAL = decisions('usual-external', { low: { severity: 'Low', attribute: 'asn', learn: true }, arc: LEARNED });
const TOKEN_REPLAY = decisions('token-replay', { high: { severity: 'High', attribute: 'network', learn: false } });
const REPLAYED_NETWORK = decisions('replayed-network', { high: { severity: 'High', attribute: 'network', learn: false } });

const REMOTE_USAGE = 'Remote usage of an Azure Managed Identity token';

export const LADDER: readonly LadderRule[] = [
  {
    id: 'unknown-ip',
    description: 'No usable caller IP: nothing to compare, nothing to learn.',
    alertName: REMOTE_USAGE,
    when: (f) => f.scope === 'unknown',
    outcome: () => UNKNOWN_IP.quiet,
  },
  {
    id: 'allowlisted',
    description: 'Use from an operator-allowlisted IP or ASN, outside Azure or inside it: usual by decree, no alert, not even a replay.',
    alertName: REMOTE_USAGE,
    when: (f) => f.allowlisted,
    outcome: () => ALLOWLISTED.quiet,
  },
  {
    id: 'private',
    description: 'Private address (a private endpoint, the customer network): belongs to no network; the IP is learned.',
    alertName: REMOTE_USAGE,
    when: (f) => f.scope === 'private',
    outcome: () => PRIVATE.learned,
  },
  {
    id: 'unusual-region',
    description: 'After activation, Azure use from a region (the ASN without a regional tag) absent from the 30-day baseline: Medium; not learned.',
    alertName: 'Managed Identity token used from an unusual Azure region',
    when: (f) => f.scope === 'azure' && f.tenantActive && !f.azureNetworkInBaseline,
    outcome: () => UNUSUAL_REGION.medium,
  },
  {
    id: 'internal',
    description: 'Azure use from a known region, or during the learning period: learned, no alert.',
    alertName: REMOTE_USAGE,
    when: (f) => f.scope === 'azure',
    outcome: () => INTERNAL.learned,
  },
  {
    id: 'learning',
    description: 'Tenant still in its 14-day learning period: external use is Low (none for Arc) and learned; one Low per ASN, so each network the period teaches is shown.',
    alertName: REMOTE_USAGE,
    when: (f) => !f.tenantActive,
    outcome: (f) => (f.isArc ? LEARNING.arc : LEARNING.low),
  },
  {
    id: 'unusual-asn',
    description: 'External use from an ASN absent from the 30-day baseline: High; not learned.',
    alertName: `${REMOTE_USAGE} from an unusual ASN`,
    when: (f) => !f.asnInBaseline,
    outcome: () => UNUSUAL_ASN.high,
  },
  {
    id: 'unusual-ip',
    description: 'External use from a known ASN but an IP absent from the 30-day baseline: Medium; not learned.',
    alertName: `${REMOTE_USAGE} from an unusual IP`,
    when: (f) => !f.ipInBaseline,
    outcome: () => UNUSUAL_IP.medium,
  },
  {
    id: 'usual-external',
    description: 'External use from a usual IP and ASN: Low (none for Arc); refreshes the baseline.',
    alertName: REMOTE_USAGE,
    when: () => true,
    outcome: (f) => (f.isArc ? USUAL_EXTERNAL.arc : USUAL_EXTERNAL.low),
  },
];

/** Baseline rules after which no token rule applies: an operator's decree, or an address of no network. */
const FINAL_RULES: ReadonlySet<string> = new Set(['unknown-ip', 'allowlisted', 'private']);

export const TOKEN_RULES: readonly LadderRule[] = [
  {
    id: 'token-replay',
    description: 'The token was first used from another network: High from day 0, whatever the baseline, Arc or scope; neither network is learned by the use.',
    alertName: 'Managed Identity token replayed from a second network',
    when: (f) => f.tokenReplayed,
    outcome: () => TOKEN_REPLAY.high,
  },
  {
    id: 'replayed-network',
    description: 'The network was the second network of a replayed token of this identity: High, never learned, until an operator allowlists it.',
    alertName: 'Managed Identity token used from a network caught replaying its tokens',
    when: (f) => f.networkReplayed,
    outcome: () => REPLAYED_NETWORK.high,
  },
];

const ALL_RULES = new Map([...LADDER, ...TOKEN_RULES].map((rule) => [rule.id, rule]));

export function judgeUse(facts: UseFacts, ladder: readonly LadderRule[] = LADDER, tokenRules: readonly LadderRule[] = TOKEN_RULES): LadderOutcome {
  const base = firstOutcome(facts, ladder);
  // The usual case: no token rule can apply, and the baseline rule's outcome is handed out as made.
  if ((!facts.tokenReplayed && !facts.networkReplayed) || FINAL_RULES.has(base.ruleId)) return base;
  const applied: LadderOutcome[] = [];
  for (const rule of tokenRules) if (rule.when(facts)) applied.push(rule.outcome(facts));
  if (applied.length === 0) return base;
  applied.push(base);
  return combined(applied);
}

function firstOutcome(facts: UseFacts, rules: readonly LadderRule[]): LadderOutcome {
  for (const rule of rules) {
    if (rule.when(facts)) return rule.outcome(facts);
  }
  throw new Error('remoteUse: the ladder has no catch-all rule');
}

const RANK: Readonly<Record<Severity, number>> = { Low: 1, Medium: 2, High: 3 };
const rank = (o: LadderOutcome): number => (o.severity ? RANK[o.severity] : 0);

/** Combined outcomes, made once per combination like the single ones (a handful exist). */
const combinations = new Map<string, LadderOutcome>();

function combined(outcomes: readonly LadderOutcome[]): LadderOutcome {
  const key = outcomes.map((o) => `${o.ruleId}:${o.severity ?? ''}:${o.learn}`).join(',');
  let made = combinations.get(key);
  if (!made) {
    // The first of the highest severity decides (token rules come first).
    const winner = outcomes.reduce((best, o) => (rank(o) > rank(best) ? o : best));
    const rules = [winner.ruleId, ...outcomes.filter((o) => o !== winner).map((o) => o.ruleId)];
    made = Object.freeze({
      ruleId: winner.ruleId,
      rules: Object.freeze(rules),
      severity: winner.severity,
      attribute: winner.attribute,
      learn: outcomes.every((o) => o.learn),
    });
    combinations.set(key, made);
  }
  return made;
}

/**
 * Whether an outcome is a usual external use and nothing more: the `usual-external` Low alone (no
 * token rule applied beside it). With TOKENWATCH_USUAL_EXTERNAL=exposure such a use becomes its
 * identity's daily exposure row instead of an alert (see UsualExternalMode); every other outcome,
 * the learning period's Low included, stays an alert.
 */
export function isUsualExternalOnly(outcome: LadderOutcome): boolean {
  return outcome === USUAL_EXTERNAL.low;
}

/** The alert name of the rule that decided an outcome. */
export function alertNameOf(outcome: LadderOutcome): string {
  return ALL_RULES.get(outcome.ruleId)?.alertName ?? REMOTE_USAGE;
}
